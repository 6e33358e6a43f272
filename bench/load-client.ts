// The load generator behind bench/run.ts. wrk (Debian's `wrk`, written in C) when it is installed:
// one autocannon process saturates before a Stratus node does once responses carry the security
// headers, so it measured the client, not the server. autocannon stays as the fallback.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import type { BenchRequest } from './scenarios/index.js';

export interface LoadOptions {
  connections: number;
  duration: number;
  pipelining: number;
  client: 'wrk' | 'autocannon';
  /** wrk only: the CPU to run it on (taskset). */
  cpu?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

export function defaultClient(): 'wrk' | 'autocannon' {
  return existsSync('/usr/bin/wrk') ? 'wrk' : 'autocannon';
}

export function runLoad(url: string, requests: BenchRequest[], options: LoadOptions): Promise<LoadResult> {
  return options.client === 'wrk' ? wrk(url, requests, options) : autocannonLoad(url, requests, options);
}

async function autocannonLoad(
  url: string,
  requests: BenchRequest[],
  options: LoadOptions,
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: options.duration,
    requests: requests.map((r) => ({
      method: r.method ?? 'GET',
      path: r.path,
      headers: r.headers,
      body: r.body,
    })),
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

const lua = (s: string) => JSON.stringify(s); // a JSON string literal is a valid Lua string literal here

/** wrk with a script that cycles through the scenario's requests and prints its summary as JSON. */
async function wrk(url: string, requests: BenchRequest[], options: LoadOptions): Promise<LoadResult> {
  const formatted = requests.map((r) => {
    const headers = Object.entries(r.headers ?? {})
      .map(([k, v]) => `[${lua(k)}]=${lua(v)}`)
      .join(',');
    return `wrk.format(${lua(r.method ?? 'GET')}, ${lua(r.path)}, {${headers}}, ${r.body ? lua(r.body) : 'nil'})`;
  });
  const script = `
local requests = {}
local i = 0
init = function(args)
  requests = { ${formatted.join(',\n')} }
end
request = function()
  i = i % #requests + 1
  return requests[i]
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests":%d,"micros":%d,"p50":%f,"p99":%f,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'stratus-wrk-')), 'script.lua');
  writeFileSync(file, script);
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.duration}s`,
    '--timeout',
    '10s',
    '-s',
    file,
    url,
  ];
  const { stdout } =
    options.cpu === undefined
      ? await promisify(execFile)('wrk', args)
      : await promisify(execFile)('taskset', ['-c', String(options.cpu), 'wrk', ...args]);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const r = JSON.parse(line.slice(7)) as {
    requests: number;
    micros: number;
    p50: number;
    p99: number;
    errors: number;
  };
  return {
    requests: r.requests,
    rps: r.requests / (r.micros / 1e6),
    p50: r.p50,
    p99: r.p99,
    non2xx: r.errors,
  };
}
