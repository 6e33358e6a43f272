// The full storefront checkout flow over real HTTP, against a fresh database (SQLite unless DATABASE_URL
// names PostgreSQL; then a throwaway schema is used):
//   npx tsx bench/checkout-flow.ts [seconds=10] [shoppers=20]
//   BENCH_CPU_PROFILE=/tmp/checkout.cpuprofile npx tsx bench/checkout-flow.ts …  profiles only the checkout
//   phase (not startup or the baseline) and writes a profile for Chrome DevTools / speedscope.
// Each shopper loops: create cart, add 3 items, set email + address + shipping, complete with a manual
// payment (6 requests), from a worker thread (see checkout-shoppers.ts). Reports completed flows/s and flow latency percentiles, and, in the same run, a
// baseline of 6 × GET /health/live per "flow" at the same concurrency (the platform's floor). Also prints
// the server thread's CPU µs per flow (Linux per-thread counters), the load-robust cost figure.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
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
import type { PhaseResult, ShopperPlan } from './checkout-shoppers.js';

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

/** CPU ms (user + system) of the server's main thread, from Linux's per-thread counters (10 ms ticks). */
function serverThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

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

/** Runs one phase's shoppers in a worker thread, so the client does not share the server's loop. */
function run(
  name: string,
  plan: Omit<ShopperPlan, 'base' | 'seconds' | 'shoppers' | 'phase'>,
  phase: ShopperPlan['phase'],
) {
  return new Promise<PhaseResult>((resolve, reject) => {
    // A worker does not inherit tsx's loader: it registers it, then loads the TypeScript module.
    const module = JSON.stringify(new URL('./checkout-shoppers.ts', import.meta.url).href);
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${module}); })`;
    const worker = new Worker(boot, {
      eval: true,
      workerData: { ...plan, base, seconds, shoppers, phase } satisfies ShopperPlan,
    });
    worker.once('message', (result: PhaseResult) => {
      const { steps: _steps, ...shown } = result;
      console.log(`${name.padEnd(10)} ${JSON.stringify(shown)}`);
      resolve(result);
    });
    worker.once('error', reject);
  });
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

  console.log(
    `dialect=${config.database.kind} shoppers=${shoppers} seconds=${seconds} (client in a worker thread)`,
  );
  const plan = { region_id: region.id, variants, option_id: option.id, address };
  const baseline = await run('baseline', plan, 'baseline');
  const profile = process.env.BENCH_CPU_PROFILE;
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const loopBefore = performance.eventLoopUtilization();
  const cpuBefore = serverThreadCpuMs();
  const checkout = await run('checkout', plan, 'checkout');
  const cpu = serverThreadCpuMs() - cpuBefore;
  const loop = performance.eventLoopUtilization(loopBefore);
  if (session && profile) {
    const { profile: taken } = await session.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(taken));
    session.disconnect();
  }
  console.log(`mean ms per flow by step: ${JSON.stringify(checkout.steps)}`);
  // The server thread's CPU time (JS plus synchronous SQLite; the shoppers run in another thread) per
  // completed flow: robust to other load on the machine, unlike flows/s. Event-loop active time is shown
  // beside it; it also counts time the thread was runnable but not running, so it grows with load.
  const flows = Math.max(1, checkout.flows);
  console.log(
    `server thread CPU µs per flow: ${Math.round((cpu * 1000) / flows)} (event loop active µs per flow ${Math.round((loop.active * 1000) / flows)}, utilisation ${loop.utilization.toFixed(2)})`,
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
