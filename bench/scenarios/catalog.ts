// Catalog storefront scenarios over 10k products / 30k variants (3 sizes each), priced in USD, one
// region, stock on every variant. "Uncached" swaps the node's cache for one that never stores, so
// every request runs the full read path (1 catalog + 1 pricing + 1 inventory statement). "Floor" serves
// the same uncached detail with bare Fastify and the least such a read must do (see detailFloor).

import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';

import { importProductsCsv } from '../../src/modules/catalog/catalog.csv.js';
import { createStockLocation, setStockLevel } from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import type { Cache } from '../../src/platform/cache/cache.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import type { AppContext } from '../../src/platform/http/context.js';
import type { BenchRequest, Scenario } from './index.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const WORDS = [
  'oak',
  'steel',
  'chair',
  'table',
  'lamp',
  'desk',
  'shelf',
  'sofa',
  'stool',
  'bench',
  'krzesło',
  'stół',
];
const COLORS = ['red', 'blue', 'green', 'black'];

/** A cache that stores nothing: for measuring the uncached read path. */
const noCache: Cache = {
  get: async () => undefined,
  peekLocal: () => undefined,
  set: async () => {},
  delete: async () => {},
  invalidateTags: async () => {},
  stats: () => ({ hits: 0, misses: 0, size: 0 }),
  ping: async () => {},
  close: async () => {},
};

export function catalogCsv(products: number): string {
  const lines = ['handle,title,status,tags,option1_name,option1_value,sku,price_usd'];
  for (let i = 0; i < products; i++) {
    const title = `${WORDS[i % WORDS.length]} ${WORDS[(i * 7 + 3) % WORDS.length]} ${i}`;
    const tag = COLORS[i % COLORS.length];
    for (const [v, size] of ['S', 'M', 'L'].entries()) {
      const price = (1000 + ((i * 37) % 90_000) + v * 500) / 100;
      lines.push(
        `p-${i},${v === 0 ? title : ''},${v === 0 ? 'published' : ''},${v === 0 ? tag : ''},${v === 0 ? 'Size' : ''},${size},SKU-${i}-${size},${price.toFixed(2)}`,
      );
    }
  }
  return lines.join('\n');
}

async function prepareCatalog(
  ctx: AppContext,
  options: { cache: boolean },
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const region = await inTransaction(ctx.db, (trx) =>
    createRegion(trx, {
      name: 'US',
      currency_code: 'usd',
      tax_inclusive: false,
      default_tax_rate_bp: 800,
      countries: ['us'],
    }),
  );
  await importProductsCsv(ctx.db, catalogCsv(PRODUCTS));
  const location = await inTransaction(ctx.db, (trx) =>
    createStockLocation(trx, { name: 'Main', code: 'main', region_ids: [region.id] }),
  );
  // Stock for every 10th product's variants: enough for in-stock filters, quick to prepare.
  const variants = await ctx.db
    .selectFrom('product_variants')
    .select('id')
    .where('sku', 'like', 'SKU-%0-%')
    .execute();
  await inTransaction(ctx.db, async (trx) => {
    for (const v of variants)
      await setStockLevel(trx, {
        variant_id: v.id,
        location_id: location.id,
        on_hand: 25,
        reason: 'bench',
        actor: 'bench',
      });
  });
  if (!options.cache) ctx.cache = noCache;
  console.error(`prepared ${PRODUCTS} products in ${Math.round(performance.now() - started)} ms`);
  return { region_id: region.id };
}

function details(state: Record<string, unknown>, count: number): BenchRequest[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `/store/products/p-${(i * 7919) % PRODUCTS}?region_id=${state.region_id}`,
  }));
}

const listMix = (state: Record<string, unknown>): BenchRequest[] =>
  [
    '',
    '&sort=price_asc',
    '&tag=red',
    '&option=Size:M&sort=price_desc',
    '&min_price=10000&max_price=50000',
    '&sort=best_selling',
  ].map((q) => ({ path: `/store/products?region_id=${state.region_id}&limit=20${q}` }));

const searchMix = (state: Record<string, unknown>): BenchRequest[] =>
  ['chai', 'oak', 'steel table', 'krzeslo', 'lamps', 'sto', 'desk shelf', 'bench'].map((q) => ({
    path: `/store/products?region_id=${state.region_id}&limit=20&q=${encodeURIComponent(q)}`,
  }));

/**
 * The least an uncached product detail must do, with nothing of the platform around it: bare Fastify,
 * the same three indexed SQLite reads (document, base prices, stock in the region's locations),
 * parse the document, attach a taxed price and availability to each variant, serialise, and hash a
 * strong ETag. No price lists, tax classes, translations, security headers, rate limits, logs or
 * metrics. What it serves per second bounds what any implementation on this machine can.
 */
async function detailFloor(ctx: AppContext, state: Record<string, unknown>): Promise<string> {
  const { database } = ctx.config;
  if (database.kind !== 'sqlite') throw new Error('the detail floor reads the SQLite file directly');
  const db = new BetterSqlite3(database.file, { readonly: true });
  const region = await ctx.db
    .selectFrom('regions')
    .select(['currency_code', 'default_tax_rate_bp'])
    .where('id', '=', String(state.region_id))
    .executeTakeFirstOrThrow();
  const documentOf = db.prepare(`select document from products where handle = ? and status = 'published'`);
  const pricesOf = db.prepare(
    `select variant_id, amount from variant_prices where variant_id in (select value from json_each(?))
     and currency_code = ? and min_quantity = 1`,
  );
  const stockOf = db.prepare(
    `select l.variant_id, sum(l.on_hand - l.reserved) as available from inventory_levels l
     join stock_location_regions r on r.location_id = l.location_id
     where r.region_id = ? and l.variant_id in (select value from json_each(?)) group by l.variant_id`,
  );
  const app = Fastify({ logger: false });
  app.get('/store/products/:handle', async (request, reply) => {
    const row = documentOf.get((request.params as { handle: string }).handle) as
      | { document: string }
      | undefined;
    if (!row) return reply.code(404).send({ code: 'NOT_FOUND' });
    const product = JSON.parse(row.document) as { variants: Array<Record<string, unknown>> };
    const ids = JSON.stringify(product.variants.map((v) => v.id));
    const prices = new Map(
      (pricesOf.all(ids, region.currency_code) as Array<{ variant_id: string; amount: number }>).map((p) => [
        p.variant_id,
        p.amount,
      ]),
    );
    const stock = new Map(
      (stockOf.all(state.region_id, ids) as Array<{ variant_id: string; available: number }>).map((s) => [
        s.variant_id,
        s.available,
      ]),
    );
    for (const variant of product.variants) {
      const amount = prices.get(variant.id as string) ?? 0;
      const tax = Math.round((amount * region.default_tax_rate_bp) / 10_000);
      const available = stock.get(variant.id as string) ?? 0;
      variant.price = {
        currency_code: region.currency_code,
        amount,
        tax_amount: tax,
        amount_incl_tax: amount + tax,
      };
      variant.availability = { available, in_stock: available > 0 };
    }
    const body = JSON.stringify({ product });
    return reply
      .header('etag', `"${createHash('sha1').update(body).digest('base64url')}"`)
      .header('cache-control', 'public, max-age=60')
      .type('application/json; charset=utf-8')
      .send(body);
  });
  return app.listen({ host: '127.0.0.1', port: 0 });
}

export const catalogScenarios: Record<string, Scenario> = {
  'catalog-detail-cached': {
    description: 'GET /store/products/{handle}: 200 products, served from the cache after the first hit',
    prepare: (ctx) => prepareCatalog(ctx, { cache: true }),
    requests: (state) => details(state, 200),
  },
  'catalog-detail-uncached': {
    description: 'GET /store/products/{handle}: 1,000 products, no cache (3 SQL statements each)',
    prepare: (ctx) => prepareCatalog(ctx, { cache: false }),
    requests: (state) => details(state, 1000),
  },
  'catalog-detail-floor': {
    description: 'the same 1,000 uncached details from bare Fastify and three raw SQLite reads (a floor)',
    prepare: (ctx) => prepareCatalog(ctx, { cache: false }),
    requests: (state) => details(state, 1000),
    listen: detailFloor,
  },
  'catalog-list': {
    description: 'GET /store/products?limit=20 with prices and stock: pages, filters and sorts, no cache',
    prepare: (ctx) => prepareCatalog(ctx, { cache: false }),
    requests: listMix,
  },
  'catalog-list-cached': {
    description: 'GET /store/products?limit=20: the same mix as catalog-list, from the cache',
    prepare: (ctx) => prepareCatalog(ctx, { cache: true }),
    requests: listMix,
  },
  'catalog-search': {
    description: 'GET /store/products?q=…: full-text prefix search, 20 results with prices, no cache',
    prepare: (ctx) => prepareCatalog(ctx, { cache: false }),
    requests: searchMix,
  },
  'catalog-search-cached': {
    description: 'GET /store/products?q=…: the same searches as catalog-search, from the cache',
    prepare: (ctx) => prepareCatalog(ctx, { cache: true }),
    requests: searchMix,
  },
};
