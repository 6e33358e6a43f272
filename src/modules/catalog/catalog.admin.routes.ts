import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SqlBool, sql } from 'kysely';
import { Type } from 'typebox';
import { dialectOf } from '../../platform/db/database.js';
import type { AppContext } from '../../platform/http/context.js';
import { decodeCursor, Page, PageQuery, toPage } from '../../platform/http/pagination.js';
import { exportProductsCsv, importProductsCsv } from './catalog.csv.js';
import {
  addVariant,
  createProduct,
  deleteProduct,
  deleteVariant,
  getAdminProduct,
  parseJson,
  updateProduct,
  updateVariant,
  type WriteResult,
} from './catalog.products.js';
import {
  AdminProduct,
  Category,
  CategoryInput,
  CategoryUpdate,
  Collection,
  CollectionInput,
  CollectionUpdate,
  ProductCreate,
  ProductDocument,
  ProductUpdate,
  VariantInput,
} from './catalog.schemas.js';
import { searchCondition } from './catalog.search.js';
import {
  createCategory,
  createCollection,
  deleteCategory,
  deleteCollection,
  getCategory,
  getCollection,
  linkProductsTo,
  listCategories,
  listCollections,
  updateCategory,
  updateCollection,
} from './catalog.taxonomy.js';

const read = { permission: 'catalog:read' };
const write = { permission: 'catalog:write' };
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const VariantParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  variant_id: Type.String({ maxLength: 64 }),
});
const LinkBody = Type.Object(
  {
    add: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500 })),
    remove: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500 })),
  },
  { additionalProperties: false },
);
const LinkResult = Type.Object({
  added: Type.Integer({ description: 'products newly linked' }),
  removed: Type.Integer({ description: 'products unlinked' }),
});
const ImportResult = Type.Object({
  products_created: Type.Integer(),
  products_updated: Type.Integer(),
  variants_created: Type.Integer(),
  variants_updated: Type.Integer(),
  rows: Type.Integer(),
});

export const catalogAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  /** After the commit: drop exactly the affected cache entries (on every node) and wake the outbox. */
  async function settle<T>(result: WriteResult<T>): Promise<T> {
    await ctx.cache.invalidateTags(result.invalidate);
    ctx.pokeOutbox();
    return result.value;
  }

  app.get(
    '/admin/products',
    {
      config: read,
      schema: {
        querystring: Type.Object({
          ...PageQuery.properties,
          status: Type.Optional(
            Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]),
          ),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          category_id: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'only products in this category' }),
          ),
          collection_id: Type.Optional(
            Type.String({ minLength: 1, maxLength: 64, description: 'only products in this collection' }),
          ),
        }),
        response: { 200: Page(ProductDocument) },
      },
    },
    async (request) => {
      const { limit = 20, cursor, status, q, category_id, collection_id } = request.query;
      const after = decodeCursor(cursor, 1);
      let query = db
        .selectFrom('products as p')
        .select(['p.id', 'p.document'])
        .orderBy('p.id', 'desc')
        .limit(limit + 1);
      if (status) query = query.where('p.status', '=', status);
      if (category_id)
        query = query.where('p.id', 'in', (eb) =>
          eb.selectFrom('product_categories').select('product_id').where('ref', '=', category_id),
        );
      if (collection_id)
        query = query.where('p.id', 'in', (eb) =>
          eb.selectFrom('product_collections').select('product_id').where('ref', '=', collection_id),
        );
      if (after) query = query.where('p.id', '<', String(after[0]));
      const search = q ? searchCondition(dialectOf(db), q) : null;
      if (search) query = query.where(search as never as ReturnType<typeof sql<SqlBool>>);
      const page = toPage(await query.execute(), limit, (r) => [r.id]);
      return {
        data: page.data.map((r) => parseJson<ProductDocument>(r.document)),
        next_cursor: page.next_cursor,
      };
    },
  );

  app.post(
    '/admin/products',
    { config: write, schema: { body: ProductCreate, response: { 201: AdminProduct } } },
    async (request, reply) => {
      const product = await settle(await createProduct(db, request.body));
      return reply.code(201).send(await getAdminProduct(db, product.id));
    },
  );
  app.get(
    '/admin/products/:id',
    { config: read, schema: { params: IdParams, response: { 200: AdminProduct } } },
    async (request) => getAdminProduct(db, request.params.id),
  );
  app.patch(
    '/admin/products/:id',
    { config: write, schema: { params: IdParams, body: ProductUpdate, response: { 200: AdminProduct } } },
    async (request) => {
      await settle(await updateProduct(db, request.params.id, request.body));
      return getAdminProduct(db, request.params.id);
    },
  );
  app.delete(
    '/admin/products/:id',
    { config: write, schema: { params: IdParams } },
    async (request, reply) => {
      await settle(await deleteProduct(db, request.params.id));
      return reply.code(204).send();
    },
  );
  app.post(
    '/admin/products/:id/variants',
    { config: write, schema: { params: IdParams, body: VariantInput, response: { 201: AdminProduct } } },
    async (request, reply) => {
      await settle(await addVariant(db, request.params.id, request.body));
      return reply.code(201).send(await getAdminProduct(db, request.params.id));
    },
  );
  app.patch(
    '/admin/products/:id/variants/:variant_id',
    { config: write, schema: { params: VariantParams, body: VariantInput, response: { 200: AdminProduct } } },
    async (request) => {
      await settle(await updateVariant(db, request.params.id, request.params.variant_id, request.body));
      return getAdminProduct(db, request.params.id);
    },
  );
  app.delete(
    '/admin/products/:id/variants/:variant_id',
    { config: write, schema: { params: VariantParams, response: { 200: AdminProduct } } },
    async (request) => {
      await settle(await deleteVariant(db, request.params.id, request.params.variant_id));
      return getAdminProduct(db, request.params.id);
    },
  );

  // Labels for variants referenced elsewhere (price lists, discounts) by id: one statement for up to 200.
  app.get(
    '/admin/variants',
    {
      config: read,
      schema: {
        querystring: Type.Object({
          ids: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 200 }),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                product_id: Type.String(),
                product_title: Type.String(),
                title: Type.String(),
                sku: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      data: await db
        .selectFrom('product_variants as v')
        .innerJoin('products as p', 'p.id', 'v.product_id')
        .select(['v.id', 'v.product_id', 'p.title as product_title', 'v.title', 'v.sku'])
        .where('v.id', 'in', [...new Set(request.query.ids)])
        .orderBy('v.id')
        .execute(),
    }),
  );

  // CSV: the body is the file itself (text/csv), up to 256 MiB for 100k-variant catalogs.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: 256 * 1024 * 1024 },
    (_request, body, done) => done(null, body),
  );
  app.post(
    '/admin/products/import',
    {
      config: write,
      bodyLimit: 256 * 1024 * 1024,
      schema: {
        body: Type.String({ description: 'CSV, one row per variant (docs/catalog-csv.md)' }),
        response: { 200: ImportResult },
      },
    },
    async (request) => {
      const result = await importProductsCsv(db, request.body);
      return settle(result);
    },
  );
  app.get(
    '/admin/products/export',
    { config: read, schema: { produces: ['text/csv'] } },
    async (_request, reply) => {
      const csv = await exportProductsCsv(db);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="products.csv"')
        .send(csv);
    },
  );

  app.get(
    '/admin/categories',
    { config: read, schema: { querystring: PageQuery, response: { 200: Page(Category) } } },
    async (request) =>
      listCategories(db, {
        limit: request.query.limit ?? 20,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      }),
  );
  app.post(
    '/admin/categories',
    { config: write, schema: { body: CategoryInput, response: { 201: Category } } },
    async (request, reply) => reply.code(201).send(await settle(await createCategory(db, request.body))),
  );
  app.get(
    '/admin/categories/:id',
    { config: read, schema: { params: IdParams, response: { 200: Category } } },
    async (request) => getCategory(db, request.params.id),
  );
  app.patch(
    '/admin/categories/:id',
    { config: write, schema: { params: IdParams, body: CategoryUpdate, response: { 200: Category } } },
    async (request) => settle(await updateCategory(db, request.params.id, request.body)),
  );
  app.delete(
    '/admin/categories/:id',
    { config: write, schema: { params: IdParams } },
    async (request, reply) => {
      await settle(await deleteCategory(db, request.params.id));
      return reply.code(204).send();
    },
  );

  app.post(
    '/admin/categories/:id/products',
    { config: write, schema: { params: IdParams, body: LinkBody, response: { 200: LinkResult } } },
    async (request) => settle(await linkProductsTo(db, 'category', request.params.id, request.body)),
  );

  app.get(
    '/admin/collections',
    { config: read, schema: { querystring: PageQuery, response: { 200: Page(Collection) } } },
    async (request) =>
      listCollections(db, {
        limit: request.query.limit ?? 20,
        ...(request.query.cursor ? { cursor: request.query.cursor } : {}),
      }),
  );
  app.post(
    '/admin/collections',
    { config: write, schema: { body: CollectionInput, response: { 201: Collection } } },
    async (request, reply) => reply.code(201).send(await settle(await createCollection(db, request.body))),
  );
  app.get(
    '/admin/collections/:id',
    { config: read, schema: { params: IdParams, response: { 200: Collection } } },
    async (request) => getCollection(db, request.params.id),
  );
  app.patch(
    '/admin/collections/:id',
    { config: write, schema: { params: IdParams, body: CollectionUpdate, response: { 200: Collection } } },
    async (request) => settle(await updateCollection(db, request.params.id, request.body)),
  );
  app.delete(
    '/admin/collections/:id',
    { config: write, schema: { params: IdParams } },
    async (request, reply) => {
      await settle(await deleteCollection(db, request.params.id));
      return reply.code(204).send();
    },
  );
  app.post(
    '/admin/collections/:id/products',
    { config: write, schema: { params: IdParams, body: LinkBody, response: { 200: LinkResult } } },
    async (request) => settle(await linkProductsTo(db, 'collection', request.params.id, request.body)),
  );
};
