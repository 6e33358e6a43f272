import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTransaction } from '../../platform/db/transaction.js';
import type { AppContext } from '../../platform/http/context.js';
import { decodeCursor, Page, PageQuery, toPage } from '../../platform/http/pagination.js';
import { assertVariantsExist } from '../catalog/index.js';
import { shopperGroups } from '../identity/index.js';
import {
  createPriceList,
  deletePriceList,
  getPriceList,
  listPriceLists,
  updatePriceList,
  upsertPriceListPrices,
} from './price-lists.service.js';
import { getVariantPrices, resolvePrices, setVariantPrices } from './prices.service.js';
import {
  IdParams,
  PriceListCreate,
  PriceListOut,
  PriceListPricesBody,
  PriceListSummary,
  PriceListUpdate,
  ResolvedPriceOut,
  StorePricesQuery,
  VariantParams,
  VariantPricesBody,
  VariantPricesOut,
} from './pricing.schemas.js';

const read = { permission: 'pricing:read' };
const write = { permission: 'pricing:write' };
const listVariants = (prices: ReadonlyArray<{ variant_id: string }> | undefined) =>
  (prices ?? []).map((p) => p.variant_id);

export const pricingRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { db } = ctx;
  const done = () => ctx.pokeOutbox();

  app.get(
    '/store/prices',
    {
      schema: {
        querystring: StorePricesQuery,
        response: { 200: Type.Object({ data: Type.Array(ResolvedPriceOut) }) },
      },
    },
    async (req, reply) => {
      const { region_id, variant_ids, quantity } = req.query;
      const groups = await shopperGroups(ctx, req);
      const [prices] = await Promise.all([
        resolvePrices(db, {
          region_id,
          variant_ids,
          customer_group_ids: groups,
          ...(quantity ? { quantity } : {}),
        }),
        assertVariantsExist(db, variant_ids),
      ]);
      if (groups.length > 0) reply.header('cache-control', 'private, no-store');
      return { data: [...prices.values()] };
    },
  );

  app.get(
    '/admin/variants/:variant_id/prices',
    { config: read, schema: { params: VariantParams, response: { 200: VariantPricesOut } } },
    async (req) => {
      const { variant_id } = req.params;
      const [prices] = await Promise.all([
        getVariantPrices(db, [variant_id]),
        assertVariantsExist(db, [variant_id]),
      ]);
      return { variant_id, prices: prices.get(variant_id) ?? [] };
    },
  );
  app.put(
    '/admin/variants/:variant_id/prices',
    {
      config: write,
      schema: { params: VariantParams, body: VariantPricesBody, response: { 200: VariantPricesOut } },
    },
    async (req) => {
      const { variant_id } = req.params;
      const prices = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, [variant_id]);
        return setVariantPrices(trx, variant_id, req.body.prices);
      });
      done();
      return { variant_id, prices };
    },
  );

  app.get(
    '/admin/price-lists',
    { config: read, schema: { querystring: PageQuery, response: { 200: Page(PriceListSummary) } } },
    async (req) => {
      const limit = req.query.limit ?? 20;
      const [after] = (decodeCursor(req.query.cursor, 1) ?? []) as [string?];
      const rows = await listPriceLists(db, { limit: limit + 1, ...(after ? { after } : {}) });
      return toPage(rows, limit, (r) => [r.id]);
    },
  );
  app.get(
    '/admin/price-lists/:id',
    { config: read, schema: { params: IdParams, response: { 200: PriceListOut } } },
    (req) => getPriceList(db, req.params.id),
  );
  app.post(
    '/admin/price-lists',
    { config: write, schema: { body: PriceListCreate, response: { 201: PriceListOut } } },
    async (req, reply) => {
      const list = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, listVariants(req.body.prices));
        return createPriceList(trx, req.body);
      });
      done();
      return reply.status(201).send(list);
    },
  );
  app.patch(
    '/admin/price-lists/:id',
    { config: write, schema: { params: IdParams, body: PriceListUpdate, response: { 200: PriceListOut } } },
    async (req) => {
      const list = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, listVariants(req.body.prices));
        return updatePriceList(trx, req.params.id, req.body);
      });
      done();
      return list;
    },
  );
  app.post(
    '/admin/price-lists/:id/prices',
    {
      config: write,
      schema: { params: IdParams, body: PriceListPricesBody, response: { 200: PriceListOut } },
    },
    async (req) => {
      const list = await inTransaction(db, async (trx) => {
        await assertVariantsExist(trx, listVariants(req.body.prices));
        return upsertPriceListPrices(trx, req.params.id, req.body.prices);
      });
      done();
      return list;
    },
  );
  app.delete(
    '/admin/price-lists/:id',
    {
      config: write,
      schema: {
        params: IdParams,
        response: { 200: Type.Object({ id: Type.String(), deleted: Type.Boolean() }) },
      },
    },
    async (req) => {
      await inTransaction(db, (trx) => deletePriceList(trx, req.params.id));
      done();
      return { id: req.params.id, deleted: true };
    },
  );
};
