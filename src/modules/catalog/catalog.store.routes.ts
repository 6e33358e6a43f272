import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { carriesCustomer } from '../../platform/http/auth.js';
import type { AppContext } from '../../platform/http/context.js';
import { edgeFastLane, sendEdgeCached } from '../../platform/http/edge-cache.js';
import { shopperGroups } from '../identity/index.js';
import { DEFAULT_LOCALE, localeChain, translate } from './catalog.locale.js';
import { LISTS_TAG, productTag } from './catalog.products.js';

/** Shared caches and browsers may keep a storefront read briefly; stock and sales move it on. */
const STORE_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=60';
const TTL_MS = 60_000;

/**
 * A storefront read from the cache (built, serialised and stored on a miss), keyed by its exact URL
 * once the request has passed validation.
 */
function sendStoreRead(
  cache: AppContext['cache'],
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => Promise<{ body: unknown; tags: string[] }>,
) {
  return sendEdgeCached(cache, request, reply, async () => {
    const { body, tags } = await build();
    const type = 'application/json; charset=utf-8';
    return { type, body: JSON.stringify(body), cacheControl: STORE_CACHE_CONTROL, tags, ttlMs: TTL_MS };
  });
}

/** The regions module's cache tag: a region or tax change drops every priced storefront entry. */
const REGIONS_TAG = 'regions';

/**
 * A storefront read: from the shared cache for guests and customers outside any group, built for this
 * shopper alone (and kept by nobody) when their groups may change the prices.
 */
async function sendPricedRead(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  build: (groups: string[]) => Promise<{ body: unknown; tags: string[] }>,
) {
  const groups = await shopperGroups(ctx, request);
  if (groups.length === 0) return sendStoreRead(ctx.cache, request, reply, () => build([]));
  const { body } = await build(groups);
  return reply.header('cache-control', 'private, no-store').send(body);
}

import { Attribute, Locale, Media, ProductOption } from './catalog.schemas.js';
import { type StoreListQuery, storeProduct, storeProducts, storeRegion } from './catalog.store.js';
import { allCategories, allCollections, CATEGORIES_TAG } from './catalog.taxonomy.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const StorePrice = Type.Object({
  currency_code: Type.String(),
  amount: Type.Integer(),
  original_amount: Type.Integer(),
  price_list_id: Nullable(Type.String()),
  tax_rate_bp: Type.Integer(),
  tax_inclusive: Type.Boolean(),
  amount_excl_tax: Type.Integer(),
  amount_incl_tax: Type.Integer(),
  tax_amount: Type.Integer(),
});
const StoreAvailability = Type.Object({
  available: Type.Integer(),
  backorder: Type.Boolean(),
  preorder: Type.Boolean(),
  tracked: Type.Boolean(),
  in_stock: Type.Boolean(),
});
const PriceRange = Nullable(Type.Object({ min_amount: Type.Integer(), max_amount: Type.Integer() }));
const StoreProduct = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  description: Type.String(),
  seo_title: Nullable(Type.String()),
  seo_description: Nullable(Type.String()),
  product_type: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  options: Type.Array(ProductOption),
  media: Type.Array(Media),
  attributes: Type.Array(Attribute),
  category_ids: Type.Array(Type.String()),
  collection_ids: Type.Array(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
  locale: Type.String(),
  region_id: Type.String(),
  currency_code: Type.String(),
  price_range: PriceRange,
  in_stock: Type.Boolean(),
  variants: Type.Array(
    Type.Object({
      id: Type.String(),
      sku: Nullable(Type.String()),
      barcode: Nullable(Type.String()),
      title: Type.String(),
      weight_grams: Nullable(Type.Integer()),
      options: Type.Record(Type.String(), Type.String()),
      price: Nullable(StorePrice),
      availability: Nullable(StoreAvailability),
    }),
  ),
});
const StoreProductSummary = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  product_type: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  thumbnail: Nullable(Type.String()),
  category_ids: Type.Array(Type.String()),
  collection_ids: Type.Array(Type.String()),
  created_at: Type.String(),
  price: Nullable(StorePrice),
  price_range: PriceRange,
  in_stock: Type.Boolean(),
  variant_count: Type.Integer(),
});
const Facet = Type.Object({
  facet: Type.Union([
    Type.Literal('category'),
    Type.Literal('collection'),
    Type.Literal('tag'),
    Type.Literal('option'),
  ]),
  name: Nullable(Type.String()),
  value: Type.String(),
  count: Type.Integer(),
});
const StoreList = Type.Object({
  data: Type.Array(StoreProductSummary),
  next_cursor: Nullable(Type.String()),
  facets: Type.Optional(Type.Array(Facet)),
  region_id: Type.String(),
  currency_code: Type.String(),
});

const ReadQuery = {
  region_id: Type.Optional(Type.String({ maxLength: 64 })),
  locale: Type.Optional(Locale),
};
const List = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 20 });
const ListQuery = Type.Object({
  ...ReadQuery,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'full-text search, prefix-tolerant, any locale' }),
  ),
  category_id: Type.Optional(List),
  collection_id: Type.Optional(List),
  tag: Type.Optional(List),
  option: Type.Optional(
    Type.Array(Type.String({ maxLength: 201 }), { maxItems: 20, description: 'Name:Value' }),
  ),
  min_price: Type.Optional(Type.Integer({ minimum: 0, description: 'minor units of the region currency' })),
  max_price: Type.Optional(Type.Integer({ minimum: 0 })),
  in_stock: Type.Optional(Type.Boolean()),
  sort: Type.Optional(
    Type.Union([
      Type.Literal('newest'),
      Type.Literal('price_asc'),
      Type.Literal('price_desc'),
      Type.Literal('best_selling'),
    ]),
  ),
  facets: Type.Optional(Type.Boolean({ description: 'include facet counts over the filtered set' })),
});
const StoreCategory = Type.Object({
  id: Type.String(),
  parent_id: Nullable(Type.String()),
  handle: Type.String(),
  name: Type.String(),
  description: Type.String(),
  position: Type.Integer(),
});

export const catalogStoreRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Every route here only reads the published catalog, which tolerates replication lag: the replica.
  const db = ctx.database.reader;
  const { cache } = ctx;
  const onRequest = edgeFastLane(cache, (raw) => carriesCustomer(ctx.auth, raw));

  app.get(
    '/store/products/:id_or_handle',
    {
      onRequest,
      schema: {
        params: Type.Object({ id_or_handle: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object(ReadQuery),
        response: { 200: StoreProduct, 304: Type.Null() },
      },
    },
    async (request, reply) => {
      const { id_or_handle } = request.params;
      const locale = request.query.locale ?? DEFAULT_LOCALE;
      return sendPricedRead(ctx, request, reply, async (groups) => {
        const region = await storeRegion(db, request.query.region_id);
        const product = await storeProduct(db, id_or_handle, region, locale, groups);
        return { body: product, tags: [productTag(product.id), REGIONS_TAG] };
      });
    },
  );

  app.get(
    '/store/products',
    { onRequest, schema: { querystring: ListQuery, response: { 200: StoreList, 304: Type.Null() } } },
    async (request, reply) => {
      const query = request.query as StoreListQuery;
      const locale = query.locale ?? DEFAULT_LOCALE;
      return sendPricedRead(ctx, request, reply, async (groups) => {
        const region = await storeRegion(db, query.region_id);
        const page = await storeProducts(
          db,
          cache,
          { ...query, limit: query.limit ?? 20 },
          region,
          locale,
          groups,
        );
        const tags = [LISTS_TAG, REGIONS_TAG, ...page.data.map((p) => productTag(p.id))];
        if (query.category_id) tags.push(CATEGORIES_TAG);
        return { body: page, tags };
      });
    },
  );

  app.get(
    '/store/categories',
    {
      onRequest,
      schema: {
        querystring: Type.Object({ locale: Type.Optional(Locale) }),
        response: { 200: Type.Object({ data: Type.Array(StoreCategory) }), 304: Type.Null() },
      },
    },
    async (request, reply) => {
      const locale = request.query.locale ?? DEFAULT_LOCALE;
      return sendStoreRead(cache, request, reply, async () => {
        const chain = localeChain(locale);
        const data = (await allCategories(db)).map((c) => ({
          id: c.id,
          parent_id: c.parent_id,
          handle: c.handle,
          name: translate(c.translations, chain, 'name', c.name),
          description: translate(c.translations, chain, 'description', c.description),
          position: c.position,
        }));
        return { body: { data }, tags: [CATEGORIES_TAG] };
      });
    },
  );

  app.get(
    '/store/collections',
    {
      onRequest,
      schema: {
        querystring: Type.Object({ locale: Type.Optional(Locale) }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Type.String(),
                handle: Type.String(),
                title: Type.String(),
                description: Type.String(),
              }),
            ),
          }),
          304: Type.Null(),
        },
      },
    },
    async (request, reply) => {
      const chain = localeChain(request.query.locale ?? DEFAULT_LOCALE);
      return sendStoreRead(cache, request, reply, async () => {
        const data = (await allCollections(db)).map((c) => ({
          id: c.id,
          handle: c.handle,
          title: translate(c.translations, chain, 'title', c.title),
          description: translate(c.translations, chain, 'description', c.description),
        }));
        return { body: { data }, tags: [CATEGORIES_TAG] };
      });
    },
  );
};
