import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTransaction } from '../../platform/db/transaction.js';
import type { AppContext } from '../../platform/http/context.js';
import { decodeCursor, Page, PageQuery, toPage } from '../../platform/http/pagination.js';
import { currencies } from '../../platform/money/index.js';
import { invalidateRegions } from './regions.cache.js';
import {
  IdParams,
  RegionCreate,
  RegionOut,
  RegionUpdate,
  TaxClassCreate,
  TaxClassOut,
  TaxClassUpdate,
} from './regions.schemas.js';
import {
  createRegion,
  createTaxClass,
  deleteRegion,
  deleteTaxClass,
  getRegion,
  getTaxClass,
  listRegions,
  listTaxClasses,
  type Region,
  updateRegion,
  updateTaxClass,
} from './regions.service.js';

const toApi = (region: Region) => ({ ...region, tax_inclusive: region.tax_inclusive === 1 });
const read = { permission: 'regions:read' };
const write = { permission: 'regions:write' };
const Deleted = Type.Object({ id: Type.String(), deleted: Type.Boolean() });

export const regionsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  // Regions are cached on every node (regions.cache.ts): each write drops them everywhere.
  const done = async () => {
    await invalidateRegions(ctx.cache);
    ctx.pokeOutbox();
  };

  async function page(query: { limit?: number; cursor?: string }) {
    const limit = query.limit ?? 20;
    const [after] = (decodeCursor(query.cursor, 1) ?? []) as [string?];
    const rows = await listRegions(db, { limit: limit + 1, ...(after ? { after } : {}) });
    const result = toPage(rows, limit, (r) => [r.id]);
    return { data: result.data.map(toApi), next_cursor: result.next_cursor };
  }

  app.get(
    '/store/regions',
    { schema: { querystring: PageQuery, response: { 200: Page(RegionOut) } } },
    (req) => page(req.query),
  );
  app.get('/store/regions/:id', { schema: { params: IdParams, response: { 200: RegionOut } } }, async (req) =>
    toApi(await getRegion(db, req.params.id)),
  );
  app.get(
    '/store/currencies',
    {
      schema: {
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                code: Type.String(),
                name: Type.String(),
                symbol: Type.String(),
                minor_units: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ data: currencies() }),
  );

  app.get(
    '/admin/regions',
    { config: read, schema: { querystring: PageQuery, response: { 200: Page(RegionOut) } } },
    (req) => page(req.query),
  );
  app.get(
    '/admin/regions/:id',
    { config: read, schema: { params: IdParams, response: { 200: RegionOut } } },
    async (req) => toApi(await getRegion(db, req.params.id)),
  );
  app.post(
    '/admin/regions',
    { config: write, schema: { body: RegionCreate, response: { 201: RegionOut } } },
    async (req, reply) => {
      const region = await inTransaction(db, (trx) => createRegion(trx, req.body));
      await done();
      return reply.status(201).send(toApi(region));
    },
  );
  app.patch(
    '/admin/regions/:id',
    { config: write, schema: { params: IdParams, body: RegionUpdate, response: { 200: RegionOut } } },
    async (req) => {
      const region = await inTransaction(db, (trx) => updateRegion(trx, req.params.id, req.body));
      await done();
      return toApi(region);
    },
  );
  app.delete(
    '/admin/regions/:id',
    { config: write, schema: { params: IdParams, response: { 200: Deleted } } },
    async (req) => {
      await inTransaction(db, (trx) => deleteRegion(trx, req.params.id));
      await done();
      return { id: req.params.id, deleted: true };
    },
  );

  app.get(
    '/admin/tax-classes',
    { config: read, schema: { response: { 200: Type.Object({ data: Type.Array(TaxClassOut) }) } } },
    async () => ({ data: await listTaxClasses(db) }),
  );
  app.get(
    '/admin/tax-classes/:id',
    { config: read, schema: { params: IdParams, response: { 200: TaxClassOut } } },
    (req) => getTaxClass(db, req.params.id),
  );
  app.post(
    '/admin/tax-classes',
    { config: write, schema: { body: TaxClassCreate, response: { 201: TaxClassOut } } },
    async (req, reply) => {
      const row = await inTransaction(db, (trx) => createTaxClass(trx, req.body));
      await done();
      return reply.status(201).send(row);
    },
  );
  app.patch(
    '/admin/tax-classes/:id',
    { config: write, schema: { params: IdParams, body: TaxClassUpdate, response: { 200: TaxClassOut } } },
    async (req) => {
      const row = await inTransaction(db, (trx) => updateTaxClass(trx, req.params.id, req.body));
      await done();
      return row;
    },
  );
  app.delete(
    '/admin/tax-classes/:id',
    { config: write, schema: { params: IdParams, response: { 200: Deleted } } },
    async (req) => {
      await inTransaction(db, (trx) => deleteTaxClass(trx, req.params.id));
      await done();
      return { id: req.params.id, deleted: true };
    },
  );
};
