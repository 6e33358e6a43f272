// The full storefront checkout flow over real HTTP, against a fresh database (SQLite unless DATABASE_URL
// names PostgreSQL; then a throwaway schema is used):
//   npx tsx bench/checkout-flow.ts [seconds=10] [shoppers=20] [--pin]   (--pin: server thread on CPU 0, the rest on CPU 1)
//   BENCH_CPU_PROFILE=/tmp/checkout.cpuprofile npx tsx bench/checkout-flow.ts …  profiles only the checkout
//   phase (not startup or the baseline) and writes a profile for Chrome DevTools / speedscope.
// Each shopper loops: create cart, add 3 items, set email + address + shipping, complete with a manual
// payment (6 requests), from a worker thread (see checkout-shoppers.ts). Reports completed flows/s and flow latency percentiles, and, in the same run, a
// baseline of 6 × GET /health/live per "flow" at the same concurrency (the platform's floor). Also prints
// the server thread's CPU µs per flow (Linux per-thread counters), the load-robust cost figure.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { runShoppers, serverThreadCpuMs, startCheckoutShop } from './checkout-shop.js';
import type { PhaseResult, ShopperPlan } from './checkout-shoppers.js';

const seconds = Number(process.argv[2] ?? 10);
const shoppers = Number(process.argv[3] ?? 20);
const { config, ctx, base, plan, close } = await startCheckoutShop();

/** One phase's shoppers (in a worker thread), printing the result. */
async function run(
  name: string,
  plan: Omit<ShopperPlan, 'base' | 'seconds' | 'shoppers' | 'phase'>,
  phase: ShopperPlan['phase'],
): Promise<PhaseResult> {
  const result = await runShoppers({ ...plan, base, seconds, shoppers, phase });
  const { steps: _steps, ...shown } = result;
  console.log(`${name.padEnd(10)} ${JSON.stringify(shown)}`);
  return result;
}

try {
  console.log(
    `dialect=${config.database.kind} shoppers=${shoppers} seconds=${seconds} (client in a worker thread)`,
  );
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
  await close();
}
