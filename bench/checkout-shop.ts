// The shop both checkout benchmarks run against: a fresh database (SQLite unless DATABASE_URL names
// PostgreSQL; then a throwaway schema), a listening node, one region, three stocked products and a
// flat shipping option.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/config.js';
import { createStockLocation, setStockLevel } from '../src/modules/inventory/index.js';
import { createRegion } from '../src/modules/regions/index.js';
import { createShippingOption } from '../src/modules/shipping/index.js';
import { inTransaction } from '../src/platform/db/transaction.js';
import { buildApp } from '../src/platform/http/app.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createRuntime } from '../src/platform/runtime.js';
import { benchEnv, benchSchema } from './bench-env.js';
import type { PhaseResult, ShopperPlan } from './checkout-shoppers.js';

/** CPU ms (user + system) of this process's main thread, from Linux's per-thread counters (10 ms ticks). */
export function serverThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * With `--pin` on the command line: the server's thread (this process's main thread) on CPU 0 and
 * every other thread (the shoppers, V8's and libuv's helpers) on CPU 1, so the server stops trading
 * its core with the client, as `bench/run.ts --pin` does with wrk. Applied as the shoppers start.
 */
const pinned = process.argv.includes('--pin');
function pinThreads(): void {
  for (const tid of readdirSync(`/proc/${process.pid}/task`))
    execFileSync('taskset', ['-p', '-c', tid === String(process.pid) ? '0' : '1', tid], { stdio: 'ignore' });
}

/** Runs the shoppers of checkout-shoppers.ts in a worker thread, so the client does not share the server's loop. */
export function runShoppers(plan: ShopperPlan): Promise<PhaseResult> {
  // A worker does not inherit tsx's loader: it registers it, then loads the TypeScript module.
  const module = JSON.stringify(new URL('./checkout-shoppers.ts', import.meta.url).href);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${module}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: plan });
    if (pinned) worker.once('online', pinThreads);
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

export async function startCheckoutShop() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-checkout-'));
  const config = loadConfig({ ...benchEnv(), STRATUS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const dropSchema = await benchSchema(config);
  const runtime = await createRuntime(config, { worker: false, logger: createLogger('warn') });
  const { ctx } = runtime;
  ctx.auth = {
    authenticate: async (request) =>
      request.headers['x-bench-staff'] === '1' ? { kind: 'staff', id: 'usr_bench', permissions: '*' } : null,
  };
  const app = await buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const listening = app.server.address();
  const base = `http://127.0.0.1:${typeof listening === 'object' && listening ? listening.port : 0}`;
  const close = async () => {
    await app.close();
    await runtime.close();
    await dropSchema?.();
    rmSync(dataDir, { recursive: true, force: true });
  };

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
      const res = await app.inject({
        method: 'POST',
        url: '/admin/products',
        headers: { 'x-bench-staff': '1' },
        payload: {
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
      });
      if (res.statusCode >= 400) throw new Error(`creating a product: ${res.body}`);
      variants.push(res.json().variants[0].id);
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
    const plan: Omit<ShopperPlan, 'base' | 'seconds' | 'shoppers' | 'phase'> = {
      region_id: region.id,
      variants,
      option_id: option.id,
      address,
    };
    return { config, ctx, app, base, plan, close };
  } catch (error) {
    await close();
    throw error;
  }
}
