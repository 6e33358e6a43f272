// Server CPU per checkout flow, without HTTP, load or lock waits: the same flow as checkout-flow.ts
// (create cart, add 3 items, set email + address + shipping, complete with a manual payment) run
// sequentially through app.inject, timed with the main thread's CPU counters (Linux). Load on the
// machine barely moves this figure, so compare it between branches when throughput is too noisy:
//   npx tsx bench/checkout-cpu.ts [flows=600]          (SQLite; DATABASE_URL=postgres://… for PostgreSQL)
// Prints CPU µs per flow and per step (after 100 warm-up flows). PostgreSQL's own CPU is not counted.
import { serverThreadCpuMs, startCheckoutShop } from './checkout-shop.js';

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
  const flows = Number(process.argv[2] ?? 600);
  const t0 = serverThreadCpuMs();
  for (let i = 0; i < flows; i++) await flow(1000 + i);
  const cpu = serverThreadCpuMs() - t0;
  console.log(
    `dialect=${config.database.kind} sequential inject flows=${flows} CPU µs/flow=${Math.round((cpu * 1000) / flows)} by step µs/flow=${JSON.stringify(Object.fromEntries(Object.entries(step).map(([k, v]) => [k, Math.round((v * 1000) / flows)])))}`,
  );
} finally {
  await close();
}
