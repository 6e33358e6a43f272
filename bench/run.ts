// Runs a scenario against a Stratus node and, first, the bare-Fastify baseline in the same run, and
// prints both with the ratio. Servers run in child processes; autocannon runs here.
//   npm run bench -- health-ready [--duration 10] [--connections 50]
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type BenchRequest, scenarios } from './scenarios/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    pipelining: { type: 'string', default: '1' },
  },
});
const names = positionals.length > 0 ? positionals : ['health-ready'];
const duration = Number(values.duration);
const connections = Number(values.connections);
const pipelining = Number(values.pipelining);
const here = path.dirname(new URL(import.meta.url).pathname);

interface Started {
  child: ChildProcess;
  url: string;
  state: Record<string, unknown>;
}

function startServer(script: string, env: Record<string, string> = {}): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'servers', script), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.once('message', (message: { ready: string; state?: Record<string, unknown> }) =>
      resolve({ child, url: message.ready, state: message.state ?? {} }),
    );
  });
}

function statsOf(child: ChildProcess): Promise<{ rss: number; loopP99Ms: number; loopMaxMs: number }> {
  return new Promise((resolve) => {
    child.once('message', (m: { rss: number; loopP99Ms: number; loopMaxMs: number }) => resolve(m));
    child.send({ type: 'stats' });
  });
}

async function load(url: string, requests: BenchRequest[]) {
  const result = await autocannon({
    url,
    connections,
    pipelining,
    duration,
    requests: requests.map((r) => ({
      method: r.method ?? 'GET',
      path: r.path,
      headers: r.headers,
      body: r.body,
    })),
  });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const baseline = await startServer('bare.ts');
const base = await load(baseline.url, [{ path: '/' }]);
await stop(baseline.child);
console.log(
  `baseline  bare fastify          ${base.rps.toFixed(0).padStart(8)} req/s  p50 ${base.p50} ms  p99 ${base.p99} ms`,
);

for (const name of names) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  const server = await startServer('stratus.ts', { BENCH_SCENARIO: name });
  const measured = await load(server.url, scenario.requests(server.state));
  const { rss, loopP99Ms, loopMaxMs } = await statsOf(server.child);
  await stop(server.child);
  console.log(
    `scenario  ${name.padEnd(22)}${measured.rps.toFixed(0).padStart(8)} req/s  p50 ${measured.p50} ms  p99 ${measured.p99} ms` +
      `  ratio ${(measured.rps / base.rps).toFixed(3)}  rss ${(rss / 1048576).toFixed(0)} MB  non-2xx ${measured.non2xx}` +
      `  event-loop delay p99 ${loopP99Ms.toFixed(1)} ms max ${loopMaxMs.toFixed(1)} ms`,
  );
}
