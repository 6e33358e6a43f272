// Runs a scenario against a Stratus node and, first, the bare-Fastify baseline in the same run, and
// prints both with the ratio. Servers run in child processes; the load client (wrk when installed,
// else autocannon) runs from here. Besides requests/s it prints the server's CPU time per request,
// which a machine busy with other work disturbs far less.
//   npm run bench -- health-ready [--duration 10] [--connections 50] [--client wrk|autocannon] [--pin]
// --pin runs each server on CPU 0 and wrk on CPU 1 (taskset), so the two stop trading one core back
// and forth: on a 2-core machine that is most of a latency tail.
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultClient, type LoadOptions, runLoad } from './load-client.js';
import { type BenchRequest, scenarios } from './scenarios/index.js';
import type { ServerStats } from './servers/stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    pipelining: { type: 'string', default: '1' },
    client: { type: 'string', default: defaultClient() },
    pin: { type: 'boolean', default: false },
  },
});
const names = positionals.length > 0 ? positionals : ['health-ready'];
if (values.client !== 'wrk' && values.client !== 'autocannon')
  throw new Error('--client is wrk or autocannon');
const options: LoadOptions = {
  duration: Number(values.duration),
  connections: Number(values.connections),
  pipelining: Number(values.pipelining),
  client: values.client,
  ...(values.pin ? { cpu: 1 } : {}),
};
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
    child.once('message', (message: { ready: string; state?: Record<string, unknown> }) => {
      // Every thread of the server (main, libuv pool, GC helpers) on CPU 0.
      if (values.pin)
        execFileSync('taskset', ['-a', '-p', '-c', '0', String(child.pid)], { stdio: 'ignore' });
      resolve({ child, url: message.ready, state: message.state ?? {} });
    });
  });
}

function statsOf(child: ChildProcess): Promise<ServerStats> {
  return new Promise((resolve) => {
    child.once('message', (m: ServerStats) => resolve(m));
    child.send({ type: 'stats' });
  });
}

/** Load against a started server, with the server's CPU microseconds per request. */
async function measure(server: Started, requests: BenchRequest[]) {
  // A short warm-up fills caches and lets V8 optimise, so both servers are measured hot.
  await runLoad(server.url, requests, { ...options, duration: 1 });
  const before = await statsOf(server.child);
  const result = await runLoad(server.url, requests, options);
  const after = await statsOf(server.child);
  return { ...result, cpuPerRequest: (after.cpuMicros - before.cpuMicros) / result.requests, after };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const baselineServer = await startServer('bare.ts');
const base = await measure(baselineServer, [{ path: '/' }]);
await stop(baselineServer.child);
console.log(
  `client ${options.client}, ${options.connections} connections, ${options.duration} s${values.pin ? ', server on CPU 0 and client on CPU 1' : ''}\n` +
    `baseline  bare fastify          ${base.rps.toFixed(0).padStart(8)} req/s  p50 ${base.p50.toFixed(2)} ms  p99 ${base.p99.toFixed(2)} ms` +
    `  cpu ${base.cpuPerRequest.toFixed(0)} µs/req`,
);

for (const name of names) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  const server = await startServer('stratus.ts', { BENCH_SCENARIO: name });
  const measured = await measure(server, scenario.requests(server.state));
  await stop(server.child);
  const { rss, loopP99Ms, loopMaxMs } = measured.after;
  console.log(
    `scenario  ${name.padEnd(22)}${measured.rps.toFixed(0).padStart(8)} req/s  p50 ${measured.p50.toFixed(2)} ms  p99 ${measured.p99.toFixed(2)} ms` +
      `  ratio ${(measured.rps / base.rps).toFixed(3)}` +
      `  cpu ${measured.cpuPerRequest.toFixed(0)} µs/req (baseline/scenario ${(base.cpuPerRequest / measured.cpuPerRequest).toFixed(3)})` +
      `  rss ${(rss / 1048576).toFixed(0)} MB  non-2xx ${measured.non2xx}` +
      `  event-loop delay p99 ${loopP99Ms.toFixed(1)} ms max ${loopMaxMs.toFixed(1)} ms`,
  );
}
