// Server CPU per checkout flow, without HTTP, load or lock waits: the same flow as checkout-flow.ts
// (create cart, add 3 items, set email + address + shipping, complete with a manual payment) run
// sequentially through app.inject, timed with the main thread's CPU counters (Linux). Load on the
// machine barely moves this figure, so compare it between branches when throughput is too noisy:
//   npx tsx bench/checkout-cpu.ts [flows=600]          (SQLite; DATABASE_URL=postgres://… for PostgreSQL)
// Prints CPU µs per flow and per step (after 100 warm-up flows). PostgreSQL's own CPU is not counted.
//   npx tsx bench/checkout-cpu.ts 400 --statements     (SQLite) also the time inside each SQL statement
import BetterSqlite3 from 'better-sqlite3';
import { serverThreadCpuMs, startCheckoutShop } from './checkout-shop.js';

/** Wall time inside better-sqlite3's statement calls, by SQL text, while `on` is set. */
const statements = { on: false, bySql: new Map<string, { calls: number; ns: bigint }>() };
if (process.argv.includes('--statements')) {
  const proto = Object.getPrototypeOf(new BetterSqlite3(':memory:').prepare('select 1'));
  for (const method of ['all', 'get', 'run'] as const) {
    const original = proto[method];
    proto[method] = function (this: BetterSqlite3.Statement, ...args: unknown[]) {
      if (!statements.on) return original.apply(this, args);
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const entry = statements.bySql.get(this.source) ?? { calls: 0, ns: 0n };
        entry.calls++;
        entry.ns += process.hrtime.bigint() - started;
        statements.bySql.set(this.source, entry);
      }
    };
  }
}

const { config, app, plan, close } = await startCheckoutShop();

try {
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
  const flows = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 600);
  statements.on = true;
  const t0 = serverThreadCpuMs();
  for (let i = 0; i < flows; i++) await flow(1000 + i);
  const cpu = serverThreadCpuMs() - t0;
  statements.on = false;
  console.log(
    `dialect=${config.database.kind} sequential inject flows=${flows} CPU µs/flow=${Math.round((cpu * 1000) / flows)} by step µs/flow=${JSON.stringify(Object.fromEntries(Object.entries(step).map(([k, v]) => [k, Math.round((v * 1000) / flows)])))}`,
  );
  if (statements.bySql.size > 0) {
    const rows = [...statements.bySql].sort((a, b) => Number(b[1].ns - a[1].ns));
    const total = rows.reduce((sum, [, e]) => sum + Number(e.ns), 0);
    const calls = rows.reduce((sum, [, e]) => sum + e.calls, 0);
    console.log(
      `inside SQL statements: ${Math.round(total / 1000 / flows)} µs/flow, ${(calls / flows).toFixed(1)} statements/flow`,
    );
    for (const [source, e] of rows.slice(0, 25))
      console.log(
        `${(Number(e.ns) / 1000 / flows).toFixed(1).padStart(8)} µs/flow  ${(e.calls / flows).toFixed(2)}×  ${source.replace(/\s+/g, ' ').slice(0, 120)}`,
      );
  }
} finally {
  await close();
}
