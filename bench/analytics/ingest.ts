// Ingestion through HTTP: POST /store/events in batches of 50 against a Stratus node, after a bare
// Fastify baseline measured in the same run. Reports events/s, request latency and the events that
// actually reached the table once the buffer is flushed, and the server's CPU time per stored event.
//   npx tsx bench/analytics/ingest.ts [--duration 8] [--connections 20]
//   BENCH_PG_URL=postgres://… npx tsx bench/analytics/ingest.ts
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '8' }, connections: { type: 'string', default: '20' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const here = path.dirname(new URL(import.meta.url).pathname);
const BATCH = 50;

function start(script: string): Promise<{ child: ChildProcess; url: string; dialect?: string }> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      execArgv: [
        '--import',
        'tsx',
        ...(process.env.BENCH_PROF && script.includes('ingest')
          ? ['--cpu-prof', '--cpu-prof-dir=/tmp/cpuprof2']
          : []),
      ],
      env: {
        ...process.env,
        STRATUS_ANALYTICS_MAX_EVENTS_PER_VISITOR_MINUTE: '1000000',
        STRATUS_ANALYTICS_FLUSH_EVENTS: process.env.STRATUS_ANALYTICS_FLUSH_EVENTS ?? '2000',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.once('message', (m: { ready: string; dialect?: string }) =>
      resolve({ child, url: m.ready, dialect: m.dialect }),
    );
  });
}

/** 400 distinct bodies: 2,000 visitors browsing a 500-product catalogue, GA4 names in a realistic mix. */
function bodies(): string[] {
  const names = [
    'page_view',
    'page_view',
    'view_item',
    'view_item',
    'view_item',
    'add_to_cart',
    'view_cart',
    'begin_checkout',
    'search',
  ];
  const out: string[] = [];
  for (let b = 0; b < 400; b++) {
    const visitor = `vis_bench_${b % 2000}_${Math.floor(b / 2000)}`;
    const events = Array.from({ length: BATCH }, (_, i) => {
      const name = names[(b * 7 + i) % names.length]!;
      const product = `prod_${(b * 13 + i * 7) % 500}`;
      const e: Record<string, unknown> = {
        name,
        page: `/products/${product}`,
        utm_source: i % 5 === 0 ? 'google' : undefined,
      };
      if (name === 'view_item' || name === 'add_to_cart')
        e.items = [
          {
            item_id: product,
            item_name: `Product ${product}`,
            item_category: `cat_${(b + i) % 12}`,
            price: 1999,
            quantity: 1,
          },
        ];
      if (name === 'search') {
        e.search_term = `term ${i % 30}`;
        e.search_results = i % 4;
      }
      return e;
    });
    out.push(JSON.stringify({ visitor_id: visitor, consent: { analytics: true }, events }));
  }
  return out;
}

async function load(url: string, requests: autocannon.Request[]) {
  const result = await autocannon({ url, connections, duration, requests });
  return result;
}

function stop(child: ChildProcess) {
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
}

const baseline = await start(path.join(here, '..', 'servers', 'bare.ts'));
const base = await load(baseline.url, [{ method: 'GET', path: '/' }]);
stop(baseline.child);
console.log(
  `baseline  bare fastify GET          ${base.requests.average.toFixed(0).padStart(7)} req/s  p99 ${base.latency.p99} ms`,
);

const server = await start(path.join(here, 'ingest-server.ts'));
const ua =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const result = await load(
  server.url,
  bodies().map((body) => ({
    method: 'POST',
    path: '/store/events',
    headers: { 'content-type': 'application/json', 'user-agent': ua },
    body,
  })),
);
interface Stats {
  events: number;
  sessions: number;
  flushes: number;
  rss: number;
  cpu_us: number;
}
const stats = await new Promise<Stats>((resolve) => {
  server.child.once('message', (m: Stats) => resolve(m));
  server.child.send({ type: 'stats' });
});
const sent = result.requests.total * BATCH;
console.log(
  `ingest    ${server.dialect?.padEnd(8)} batches of ${BATCH}  ${(result.requests.average * BATCH).toFixed(0).padStart(7)} events/s` +
    `  (${result.requests.average.toFixed(0)} req/s, ratio ${(result.requests.average / base.requests.average).toFixed(3)})` +
    `  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${result.non2xx + result.errors}` +
    `  stored ${stats.events}/${sent} events, ${stats.sessions} sessions, ${stats.flushes} flushes, rss ${(stats.rss / 1048576).toFixed(0)} MB` +
    // Server CPU per stored event (parse, validate, buffer, write, reply): steadier than events/s on a
    // shared machine, where throughput mostly measures the neighbours.
    `  server CPU ${(stats.cpu_us / Math.max(1, stats.events)).toFixed(1)} µs/event`,
);
