// The shoppers of bench/checkout-flow.ts, in a worker thread: an HTTP client costs about as much CPU
// as the server it calls, so sharing the server's event loop halved what the bench could measure.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ShopperPlan {
  base: string;
  seconds: number;
  shoppers: number;
  phase: 'baseline' | 'checkout';
  region_id: string;
  variants: string[];
  option_id: string;
  address: Record<string, string>;
}

export interface PhaseResult {
  flows_per_s: number;
  p50_ms: number;
  p99_ms: number;
  flows: number;
  errors: number;
  /** Mean ms per flow spent in each step (checkout phase). */
  steps: Record<string, number>;
}

const plan = workerData as ShopperPlan;

/** The fields of the answers a shopper reads: a cart's id, a completion's order. */
interface Answer {
  id?: string;
  order?: { id?: string };
}

// node:http with keep-alive sockets, not fetch: fetch (undici) cost about 3.9 ms of CPU per flow here,
// http.request about 1.7 ms, and the client shares the machine's two cores with the server.
const target = new URL(plan.base);
const agent = new Agent({ keepAlive: true, maxSockets: plan.shoppers });

function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      { agent, host: target.hostname, port: target.port, method, path: url, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(new Error(`${method} ${url} → ${status} ${text}`));
          try {
            resolve(text ? (JSON.parse(text) as Answer) : {});
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

// Time per step (ms, summed over all flows), to see which request a change should target.
const steps: Record<string, number> = { create: 0, add_line: 0, details: 0, complete: 0 };
async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await work();
  } finally {
    steps[step]! += performance.now() - t0;
  }
}

async function checkoutFlow(n: number) {
  const cart = await timed('create', () => call('POST', '/store/carts', { region_id: plan.region_id }));
  for (const variant of plan.variants)
    await timed('add_line', () =>
      call('POST', `/store/carts/${cart.id}/line-items`, { variant_id: variant, quantity: 1 }),
    );
  await timed('details', () =>
    call('PATCH', `/store/carts/${cart.id}`, {
      email: `shopper${n}@example.com`,
      shipping_address: plan.address,
      shipping_option_id: plan.option_id,
    }),
  );
  const { order } = await timed('complete', () =>
    call('POST', `/store/carts/${cart.id}/complete`, {}, { 'idempotency-key': `bench-${cart.id}` }),
  );
  if (!order?.id) throw new Error('no order');
}

async function baselineFlow() {
  for (let i = 0; i < 6; i++) await call('GET', '/health/live');
}

const flow = plan.phase === 'checkout' ? checkoutFlow : baselineFlow;
const latencies: number[] = [];
let errors = 0;
let n = 0;
const end = Date.now() + plan.seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: plan.shoppers }, async () => {
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
const flows = Math.max(1, latencies.length);
const result: PhaseResult = {
  flows_per_s: Math.round((latencies.length / elapsed) * 10) / 10,
  p50_ms: Math.round(percentile(latencies, 50)),
  p99_ms: Math.round(percentile(latencies, 99)),
  flows: latencies.length,
  errors,
  steps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, Math.round((v / flows) * 10) / 10])),
};
parentPort?.postMessage(result);
