// Throughput of 1 API node vs 2 behind a local nginx, as a ratio measured in the same run. Both
// measurements go through nginx, so the proxy's cost is in the baseline too.
//   npm run bench:cluster -- [--duration 5] [--connections 50] [--path /health/ready] [--rounds 3]
// The two set-ups alternate for `rounds` rounds and the median ratio is reported, because on a
// shared machine a single pair of measurements mostly measures the neighbours.
// Nodes share one database: PostgreSQL when BENCH_DATABASE_URL is set, else one SQLite file.
// Needs nginx on PATH (Debian: apt-get install -y nginx) and a built dist/ (npm run build).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    path: { type: 'string', default: '/health/ready' },
    rounds: { type: 'string', default: '3' },
  },
});
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const main = path.join(root, 'dist/main.js');
if (!existsSync(main)) throw new Error('dist/main.js is missing: run npm run build first');
const nginxBin = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);
if (!nginxBin) throw new Error('nginx is not installed (apt-get install -y nginx)');

const work = mkdtempSync(path.join(tmpdir(), 'stratus-cluster-bench-'));
const children: ChildProcess[] = [];
const port = () => 20000 + Math.floor(Math.random() * 30000);
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  STRATUS_DATA_DIR: work,
  STRATUS_IN_PROCESS_WORKER: 'false',
  ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
};

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
  const child = spawn(process.execPath, [main, 'start', '--no-worker'], {
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

async function measure(label: string, upstreams: number[]): Promise<number> {
  const lb = await startNginx(upstreams);
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${lb.port}${values.path}`,
      connections: Number(values.connections),
      duration: Number(values.duration),
    });
    const errors = result.non2xx + result.errors + result.timeouts;
    console.log(
      `${label.padEnd(24)}${result.requests.average.toFixed(0).padStart(8)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx ${errors}`,
    );
    return result.requests.average;
  } finally {
    lb.stop();
  }
}

try {
  const [a, b] = [await startNode(), await startNode()];
  // Warm both nodes (JIT, statement caches) before either measurement.
  await autocannon({ url: `http://127.0.0.1:${a}${values.path}`, connections: 10, duration: 1 });
  await autocannon({ url: `http://127.0.0.1:${b}${values.path}`, connections: 10, duration: 1 });
  const ratios: number[] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    const one = await measure(`round ${round}: 1 node`, [a]);
    const two = await measure(`round ${round}: 2 nodes`, [a, b]);
    ratios.push(two / one);
  }
  const ratio = [...ratios].sort((x, y) => x - y)[Math.floor(ratios.length / 2)]!;
  console.log(`ratios ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
  console.log(
    `median ratio 2/1 ${ratio.toFixed(3)}  scaling efficiency ${((ratio / 2) * 100).toFixed(0)}%  (${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}, GET ${values.path})`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(work, { recursive: true, force: true });
}
