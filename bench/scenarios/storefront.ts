// Storefront product pages (server-rendered head + embedded product read) over the catalog bench's
// products: the HTML a crawler or a first visit gets, from the cache, and revalidated with an ETag.

import { importProductsCsv } from '../../src/modules/catalog/catalog.csv.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import type { AppContext } from '../../src/platform/http/context.js';
import { catalogCsv } from './catalog.js';
import type { BenchRequest, Scenario } from './index.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const PAGES = 200;

async function prepare(ctx: AppContext): Promise<Record<string, unknown>> {
  const started = performance.now();
  await inTransaction(ctx.db, (trx) =>
    createRegion(trx, {
      name: 'US',
      currency_code: 'usd',
      tax_inclusive: false,
      default_tax_rate_bp: 800,
      countries: ['us'],
    }),
  );
  await importProductsCsv(ctx.db, catalogCsv(PRODUCTS));
  console.error(`prepared ${PRODUCTS} products in ${Math.round(performance.now() - started)} ms`);
  return {};
}

const pages = (): BenchRequest[] =>
  Array.from({ length: PAGES }, (_, i) => ({ path: `/products/p-${(i * 7919) % PRODUCTS}` }));

export const storefrontScenarios: Record<string, Scenario> = {
  'storefront-product-page': {
    description: `GET /products/{handle}: ${PAGES} rendered product pages, from the cache after the first hit`,
    prepare,
    requests: pages,
  },
  'storefront-product-page-browser': {
    description:
      'GET /products/{handle} as a browser or crawler asks: Accept-Encoding br/gzip, from the cache',
    prepare,
    requests: () => pages().map((r) => ({ ...r, headers: { 'accept-encoding': 'gzip, deflate, br' } })),
  },
  'storefront-product-page-304': {
    description: 'GET /products/{handle} with If-None-Match: a revalidation answered 304 from the cache',
    prepare,
    // The ETag is a hash of the rendered page; a wildcard If-None-Match exercises the same path.
    requests: () => pages().map((r) => ({ ...r, headers: { 'if-none-match': '*' } })),
  },
};
