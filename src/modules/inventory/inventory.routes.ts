import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { inTransaction } from '../../platform/db/transaction.js';
import type { AppContext } from '../../platform/http/context.js';
import { decodeCursor, Page, PageQuery, toPage } from '../../platform/http/pagination.js';
import { assertVariantsExist } from '../catalog/index.js';
import {
  AdjustmentBody,
  AvailabilityOut,
  AvailabilityQuery,
  IdParams,
  ItemBody,
  ItemOut,
  LevelOut,
  LevelsQuery,
  LowStockOut,
  LowStockQuery,
  MovementOut,
  MovementsQuery,
  SetLevelBody,
  StockLocationCreate,
  StockLocationOut,
  StockLocationUpdate,
  VariantParams,
} from './inventory.schemas.js';
import {
  createStockLocation,
  getStockLocation,
  listStockLocations,
  type StockLocation,
  updateStockLocation,
} from './locations.service.js';
import {
  adjustStock,
  availability,
  getInventoryItems,
  listLevels,
  listLowStock,
  listMovements,
  setInventoryItem,
  setStockLevel,
} from './stock.service.js';

const read = { permission: 'inventory:read' };
const write = { permission: 'inventory:write' };
const toApi = (l: StockLocation) => ({ ...l, active: l.active === 1 });
const actorOf = (req: FastifyRequest) =>
  req.principal ? `${req.principal.kind}:${req.principal.id}` : 'anonymous';

export const inventoryRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const done = () => ctx.pokeOutbox();

  app.get(
    '/store/availability',
    { schema: { querystring: AvailabilityQuery, response: { 200: AvailabilityOut } } },
    async (req) => {
      // A storefront hint, not the checkout's check (that reserves on the primary): the replica serves it.
      const reader = ctx.database.reader;
      const [map] = await Promise.all([
        availability(reader, req.query),
        assertVariantsExist(reader, req.query.variant_ids),
      ]);
      return {
        data: [...map].map(([variant_id, a]) => ({
          variant_id,
          ...a,
          in_stock: !a.tracked || a.available > 0 || a.backorder || a.preorder,
        })),
      };
    },
  );

  app.get(
    '/admin/stock-locations',
    { config: read, schema: { querystring: PageQuery, response: { 200: Page(StockLocationOut) } } },
    async (req) => {
      const limit = req.query.limit ?? 20;
      const [after] = (decodeCursor(req.query.cursor, 1) ?? []) as [string?];
      const rows = await listStockLocations(db, { limit: limit + 1, ...(after ? { after } : {}) });
      const page = toPage(rows, limit, (r) => [r.id]);
      return { data: page.data.map(toApi), next_cursor: page.next_cursor };
    },
  );
  app.get(
    '/admin/stock-locations/:id',
    { config: read, schema: { params: IdParams, response: { 200: StockLocationOut } } },
    async (req) => toApi(await getStockLocation(db, req.params.id)),
  );
  app.post(
    '/admin/stock-locations',
    { config: write, schema: { body: StockLocationCreate, response: { 201: StockLocationOut } } },
    async (req, reply) => {
      const location = await inTransaction(db, (trx) => createStockLocation(trx, req.body));
      done();
      return reply.status(201).send(toApi(location));
    },
  );
  app.patch(
    '/admin/stock-locations/:id',
    {
      config: write,
      schema: { params: IdParams, body: StockLocationUpdate, response: { 200: StockLocationOut } },
    },
    async (req) => {
      const location = await inTransaction(db, (trx) => updateStockLocation(trx, req.params.id, req.body));
      done();
      return toApi(location);
    },
  );

  app.get(
    '/admin/inventory/levels',
    { config: read, schema: { querystring: LevelsQuery, response: { 200: Page(LevelOut) } } },
    async (req) => {
      const { limit = 20, cursor, variant_id, location_id } = req.query;
      const after = decodeCursor(cursor, 2) as [string, string] | undefined;
      const rows = await listLevels(db, {
        limit: limit + 1,
        ...(variant_id ? { variant_id } : {}),
        ...(location_id ? { location_id } : {}),
        ...(after ? { after } : {}),
      });
      return toPage(rows, limit, (r) => [r.variant_id, r.location_id]);
    },
  );
  app.put(
    '/admin/inventory/levels',
    { config: write, schema: { body: SetLevelBody, response: { 200: LevelOut } } },
    async (req) => {
      const level = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, [req.body.variant_id]);
        return setStockLevel(trx, { ...req.body, actor: actorOf(req) });
      });
      done();
      return level;
    },
  );
  app.post(
    '/admin/inventory/adjustments',
    { config: write, schema: { body: AdjustmentBody, response: { 201: LevelOut } } },
    async (req, reply) => {
      const level = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, [req.body.variant_id]);
        return adjustStock(trx, { ...req.body, actor: actorOf(req) });
      });
      done();
      return reply.status(201).send(level);
    },
  );
  app.get(
    '/admin/inventory/movements',
    { config: read, schema: { querystring: MovementsQuery, response: { 200: Page(MovementOut) } } },
    async (req) => {
      const { limit = 50, cursor, ...filter } = req.query;
      const [before] = (decodeCursor(cursor, 1) ?? []) as [string?];
      const rows = await listMovements(db, { ...filter, limit: limit + 1, ...(before ? { before } : {}) });
      return toPage(rows, limit, (r) => [r.id]);
    },
  );
  app.get(
    '/admin/inventory/low-stock',
    { config: read, schema: { querystring: LowStockQuery, response: { 200: Page(LowStockOut) } } },
    async (req) => {
      const { limit = 20, cursor, location_id } = req.query;
      const after = decodeCursor(cursor, 2) as [string, string] | undefined;
      const rows = await listLowStock(db, {
        limit: limit + 1,
        ...(location_id ? { location_id } : {}),
        ...(after ? { after } : {}),
      });
      return toPage(rows, limit, (r) => [r.variant_id, r.location_id]);
    },
  );
  app.get(
    '/admin/inventory/items/:variant_id',
    { config: read, schema: { params: VariantParams, response: { 200: ItemOut } } },
    async (req) => {
      const [items] = await Promise.all([
        getInventoryItems(db, [req.params.variant_id]),
        assertVariantsExist(db, [req.params.variant_id]),
      ]);
      return items.get(req.params.variant_id)!;
    },
  );
  app.put(
    '/admin/inventory/items/:variant_id',
    { config: write, schema: { params: VariantParams, body: ItemBody, response: { 200: ItemOut } } },
    async (req) => {
      const item = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, [req.params.variant_id]);
        return setInventoryItem(trx, req.params.variant_id, req.body);
      });
      done();
      return item;
    },
  );
};
