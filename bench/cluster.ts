// Throughput of 1 API node vs 2 behind a local nginx, as a ratio measured in the same run. Both
// measurements go through nginx, so the proxy's cost is in the baseline too.
//   npm run bench:cluster -- [--duration 5] [--connections 50] [--rounds 3]
//                            [--workload shop|health] [--path /custom] [--db auto|postgres|sqlite]
// Workload `shop` (the default) is storefront traffic: product detail pages of 50 products in
// rotation, with every fourth request a product list page (both cached by the nodes, as in
// production); `health` is GET /health/ready; `--path` measures one path of your choosing.
// The two set-ups alternate for `rounds` rounds and the median ratio is reported, because on a
// shared machine a single pair of measurements mostly measures the neighbours.
// Database (`--db auto`, the default): PostgreSQL when one answers (BENCH_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/postgres), in a schema of its own dropped afterwards, with Redis
// when one answers (BENCH_REDIS_URL, else redis://127.0.0.1:6379/0) as the shared cache; otherwise
// one SQLite file (a set-up for trying, not a supported deployment). The demo catalog is seeded once
// before the nodes start (they start with --no-seed).
// Needs nginx on PATH (Debian: apt-get install -y nginx) and a built dist/ (npm run build).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    workload: { type: 'string', default: 'shop' },
    path: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    db: { type: 'string', default: 'auto' },
  },
});
if (!['shop', 'health'].includes(values.workload!)) throw new Error('--workload is shop or health');
if (!['auto', 'postgres', 'sqlite'].includes(values.db!)) throw new Error('--db is auto, postgres or sqlite');
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const main = path.join(root, 'dist/main.js');
if (!existsSync(main)) throw new Error('dist/main.js is missing: run npm run build first');
const nginxBin = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);
if (!nginxBin) throw new Error('nginx is not installed (apt-get install -y nginx)');

const work = mkdtempSync(path.join(tmpdir(), 'stratus-cluster-bench-'));
const children: ChildProcess[] = [];
const port = () => 20000 + Math.floor(Math.random() * 30000);

async function postgresUrl(): Promise<string | undefined> {
  if (values.db === 'sqlite') return undefined;
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return url;
  } catch (error) {
    if (values.db === 'postgres') throw error;
    return undefined;
  }
}

async function redisUrl(): Promise<string | undefined> {
  const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

const withSearchPath = (url: string, schema: string) =>
  `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const pgBase = await postgresUrl();
const schema = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const redis = pgBase ? await redisUrl() : undefined;
if (pgBase) {
  const admin = new pg.Client({ connectionString: pgBase });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
}
const setUp = pgBase ? `PostgreSQL${redis ? ' + Redis' : ''}` : 'SQLite';
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  STRATUS_DATA_DIR: work,
  STRATUS_IN_PROCESS_WORKER: 'false',
  // The load comes from one address (nginx); this measures serving, not the per-IP limiter.
  STRATUS_RATE_LIMIT_PER_MINUTE: '10000000',
  ...(pgBase ? { DATABASE_URL: withSearchPath(pgBase, schema) } : {}),
  ...(redis ? { REDIS_URL: redis } : {}),
};

function run(args: string[]): void {
  const result = spawnSync(process.execPath, [main, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`stratus ${args.join(' ')} exited ${result.status}`);
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

async function startNode(): Promise<number> {
  const p = port();
  const child = spawn(process.execPath, [main, 'start', '--no-worker', '--no-seed'], {
    env: { ...env, PORT: String(p) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  await ready(`http://127.0.0.1:${p}/health/ready`);
  return p;
}

async function startNginx(upstreams: number[]): Promise<{ port: number; stop(): void }> {
  const p = port();
  const dir = mkdtempSync(path.join(work, 'nginx-'));
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream stratus { least_conn; ${upstreams.map((u) => `server 127.0.0.1:${u};`).join(' ')} keepalive 64; }
  server {
    listen 127.0.0.1:${p};
    location / { proxy_pass http://stratus; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`,
  );
  const child = spawn(nginxBin!, ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  await ready(`http://127.0.0.1:${p}/health/live`);
  return { port: p, stop: () => child.kill('SIGTERM') };
}

/** What each connection requests, in turn: shop traffic, the readiness probe, or one given path. */
let requests: autocannon.Request[] = [{ path: '/health/ready' }];
let label = 'GET /health/ready';

async function shopRequests(base: string): Promise<void> {
  const list = '/store/products?limit=20';
  const page = (await (await fetch(`${base}/store/products?limit=50`)).json()) as {
    data: { handle: string }[];
  };
  const handles = page.data.map((p) => p.handle);
  if (handles.length === 0) throw new Error('the seeded catalog has no products');
  let n = 0;
  const detail = () => `/store/products/${encodeURIComponent(handles[n++ % handles.length]!)}`;
  requests = [
    { setupRequest: (request) => ({ ...request, path: detail() }) },
    { setupRequest: (request) => ({ ...request, path: detail() }) },
    { setupRequest: (request) => ({ ...request, path: detail() }) },
    { path: list },
  ];
  label = `shop: product detail x${handles.length} + list (3:1)`;
}

async function measure(name: string, upstreams: number[]): Promise<number> {
  const lb = await startNginx(upstreams);
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${lb.port}`,
      requests,
      connections: Number(values.connections),
      duration: Number(values.duration),
    });
    const errors = result.non2xx + result.errors + result.timeouts;
    console.log(
      `${name.padEnd(24)}${result.requests.average.toFixed(0).padStart(8)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${errors}`,
    );
    return result.requests.average;
  } finally {
    lb.stop();
  }
}

try {
  run(['migrate']);
  run(['seed']);
  const [a, b] = [await startNode(), await startNode()];
  if (values.path) {
    requests = [{ path: values.path }];
    label = `GET ${values.path}`;
  } else if (values.workload === 'shop') await shopRequests(`http://127.0.0.1:${a}`);
  // Warm both nodes (JIT, statement caches, their caches) before either measurement.
  for (const node of [a, b])
    await autocannon({ url: `http://127.0.0.1:${node}`, requests, connections: 10, duration: 2 });
  const ratios: number[] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    const one = await measure(`round ${round}: 1 node`, [a]);
    const two = await measure(`round ${round}: 2 nodes`, [a, b]);
    ratios.push(two / one);
  }
  const ratio = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)]!;
  console.log(`ratios ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
  console.log(
    `median ratio 2/1 ${ratio.toFixed(3)}  scaling efficiency ${((ratio / 2) * 100).toFixed(0)}%  (${setUp}, ${label})`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (pgBase) {
    const admin = new pg.Client({ connectionString: pgBase });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
  rmSync(work, { recursive: true, force: true });
}
