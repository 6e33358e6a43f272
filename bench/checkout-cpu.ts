// Server CPU per checkout flow, without HTTP, load or lock waits: the same flow as checkout-flow.ts
// (create cart, add 3 items, set email + address + shipping, complete with a manual payment) run
// sequentially through app.inject, timed with the main thread's CPU counters (Linux). Load on the
// machine barely moves this figure, so compare it between branches when throughput is too noisy:
//   npx tsx bench/checkout-cpu.ts [flows=600]          (SQLite; DATABASE_URL=postgres://… for PostgreSQL)
// Prints CPU µs per flow and per step (after 100 warm-up flows). PostgreSQL's own CPU is not counted.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  const plan = { region_id: region.id, variants, option_id: option.id, address };
  const inject = async (
    method: string,
    url: string,
    payload?: object,
    headers: Record<string, string> = {},
  ) => {
    const res = await app.inject({ method: method as 'POST', url, payload, headers });
    if (res.statusCode >= 400) throw new Error(`${url} ${res.body}`);
    return res.json();
  };
  const step: Record<string, number> = { create: 0, add_line: 0, details: 0, complete: 0 };
  const timed = async <T>(name: string, work: () => Promise<T>) => {
    const t0 = serverThreadCpuMs();
    const out = await work();
    step[name]! += serverThreadCpuMs() - t0;
    return out;
  };
  const flow = async (n: number) => {
    const cart = await timed('create', () => inject('POST', '/store/carts', { region_id: plan.region_id }));
    for (const variant of plan.variants)
      await timed('add_line', () =>
        inject('POST', `/store/carts/${cart.id}/line-items`, { variant_id: variant, quantity: 1 }),
      );
    await timed('details', () =>
      inject('PATCH', `/store/carts/${cart.id}`, {
        email: `s${n}@example.com`,
        shipping_address: plan.address,
        shipping_option_id: plan.option_id,
      }),
    );
    await timed('complete', () =>
      inject('POST', `/store/carts/${cart.id}/complete`, {}, { 'idempotency-key': `k-${cart.id}` }),
    );
  };
  for (let i = 0; i < 100; i++) await flow(i);
  for (const k of Object.keys(step)) step[k] = 0;
  const flows = Number(process.argv[2] ?? 600);
  const t0 = serverThreadCpuMs();
  for (let i = 0; i < flows; i++) await flow(1000 + i);
  const cpu = serverThreadCpuMs() - t0;
  console.log(
    `dialect=${config.database.kind} sequential inject flows=${flows} CPU µs/flow=${Math.round((cpu * 1000) / flows)} by step µs/flow=${JSON.stringify(Object.fromEntries(Object.entries(step).map(([k, v]) => [k, Math.round((v * 1000) / flows)])))}`,
  );
} finally {
  await app.close();
  await runtime.close();
  await dropSchema?.();
  rmSync(dataDir, { recursive: true, force: true });
}
