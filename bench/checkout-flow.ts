// The full storefront checkout flow over real HTTP, against a fresh database (SQLite unless DATABASE_URL
// names PostgreSQL; then a throwaway schema is used):
//   npx tsx bench/checkout-flow.ts [seconds=10] [shoppers=20]
//   BENCH_CPU_PROFILE=/tmp/checkout.cpuprofile npx tsx bench/checkout-flow.ts …  profiles only the checkout
//   phase (not startup or the baseline) and writes a profile for Chrome DevTools / speedscope.
// Each shopper loops: create cart, add 3 items, set email + address + shipping, complete with a manual
// payment (6 requests). Reports completed flows/s and flow latency percentiles, and, in the same run, a
// baseline of 6 × GET /health/live per "flow" at the same concurrency (the platform's floor).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { createStockLocation, setStockLevel } from '../src/modules/inventory/index.js';
import { createRegion } from '../src/modules/regions/index.js';
import { createShippingOption } from '../src/modules/shipping/index.js';
import { createPostgresPool } from '../src/platform/db/database.js';
import { inTransaction } from '../src/platform/db/transaction.js';
import { buildApp } from '../src/platform/http/app.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createRuntime } from '../src/platform/runtime.js';
import { benchEnv } from './bench-env.js';

const seconds = Number(process.argv[2] ?? 10);
const shoppers = Number(process.argv[3] ?? 20);
const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-checkout-'));
const config = loadConfig({ ...benchEnv(), STRATUS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
let dropSchema: (() => Promise<void>) | undefined;
if (config.database.kind === 'postgres') {
  const url = config.database.url;
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = createPostgresPool(url, 1);
  await admin.query(`create schema ${schema}`);
  await admin.end();
  config.database = { ...config.database, searchPath: schema, poolMax: 20 };
  dropSchema = async () => {
    const pool = createPostgresPool(url, 1);
    await pool.query(`drop schema ${schema} cascade`);
    await pool.end();
  };
}
const runtime = await createRuntime(config, { worker: false, logger: createLogger('warn') });
const { ctx } = runtime;
ctx.auth = {
  authenticate: async (request) =>
    request.headers['x-bench-staff'] === '1' ? { kind: 'staff', id: 'usr_bench', permissions: '*' } : null,
};
const app = await buildApp(ctx);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

async function run(name: string, flow: (n: number) => Promise<void>) {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: shoppers }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          await flow(n++);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          if (errors < 3) console.error((error as Error).message);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const result = {
    flows_per_s: Math.round((latencies.length / elapsed) * 10) / 10,
    p50_ms: Math.round(percentile(latencies, 50)),
    p99_ms: Math.round(percentile(latencies, 99)),
    flows: latencies.length,
    errors,
  };
  console.log(`${name.padEnd(10)} ${JSON.stringify(result)}`);
  return result;
}

try {
  const region = await inTransaction(ctx.db, (trx) =>
    createRegion(trx, {
      name: 'Europe',
      currency_code: 'eur',
      tax_inclusive: true,
      default_tax_rate_bp: 2100,
      countries: ['de'],
    }),
  );
  const location = await inTransaction(ctx.db, (trx) =>
    createStockLocation(trx, { name: 'Main', code: 'main', region_ids: [region.id] }),
  );
  const variants: string[] = [];
  for (let i = 0; i < 3; i++) {
    const product = await call(
      'POST',
      '/admin/products',
      {
        title: `Bench ${i}`,
        status: 'published',
        variants: [
          {
            sku: `BENCH-${i}`,
            weight_grams: 400,
            prices: [{ currency_code: 'eur', amount: 1500 + i * 500 }],
          },
        ],
      },
      { 'x-bench-staff': '1' },
    );
    variants.push(product.variants[0].id);
  }
  await inTransaction(ctx.db, async (trx) => {
    for (const variant of variants) {
      await setStockLevel(trx, {
        variant_id: variant,
        location_id: location.id,
        on_hand: 100_000_000,
        reason: 'bench',
        actor: 'bench',
      });
    }
  });
  const option = await createShippingOption(ctx.db, {
    region_id: region.id,
    name: 'Standard',
    price_type: 'flat',
    amount: 499,
  });
  const address = {
    first_name: 'Bench',
    last_name: 'Shopper',
    address_1: 'Street 1',
    city: 'Berlin',
    postal_code: '10115',
    country_code: 'de',
  };

  console.log(`dialect=${config.database.kind} shoppers=${shoppers} seconds=${seconds}`);
  const baseline = await run('baseline', async () => {
    for (let i = 0; i < 6; i++) await call('GET', '/health/live');
  });
  const profile = process.env.BENCH_CPU_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  // Time per step (ms, summed over all flows), to see which request a change should target.
  const steps: Record<string, number> = { create: 0, add_line: 0, details: 0, complete: 0 };
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      steps[step]! += performance.now() - t0;
    }
  };
  const checkout = await run('checkout', async (n) => {
    const cart = await timed('create', () => call('POST', '/store/carts', { region_id: region.id }));
    for (const variant of variants)
      await timed('add_line', () =>
        call('POST', `/store/carts/${cart.id}/line-items`, { variant_id: variant, quantity: 1 }),
      );
    await timed('details', () =>
      call('PATCH', `/store/carts/${cart.id}`, {
        email: `shopper${n}@example.com`,
        shipping_address: address,
        shipping_option_id: option.id,
      }),
    );
    const { order } = await timed('complete', () =>
      call('POST', `/store/carts/${cart.id}/complete`, {}, { 'idempotency-key': `bench-${cart.id}` }),
    );
    if (!order?.id) throw new Error('no order');
  });
  if (session && profile) {
    const { profile: taken } = await session.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(taken));
    session.disconnect();
  }
  const flows = Math.max(1, checkout.flows);
  console.log(
    `mean ms per flow by step: ${JSON.stringify(
      Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round((v / flows) * 10) / 10])),
    )}`,
  );
  console.log(
    `checkout/baseline flows per second: ${(checkout.flows_per_s / baseline.flows_per_s).toFixed(3)}`,
  );
  const orders = await ctx.db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(`orders in database: ${orders.n}`);
} finally {
  await app.close();
  await runtime.close();
  await dropSchema?.();
  rmSync(dataDir, { recursive: true, force: true });
}
