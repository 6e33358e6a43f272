// A Stratus node for benchmarks: a real runtime and app over a fresh database, prepared by the
// scenario's `prepare` (seed data) before it listens.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { benchEnv } from '../bench-env.js';
import { scenarios } from '../scenarios/index.js';
import { answerStats } from './stats.js';

const scenario = scenarios[process.env.BENCH_SCENARIO ?? ''];
if (!scenario) throw new Error(`unknown scenario ${process.env.BENCH_SCENARIO}`);
const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-bench-'));
const config = loadConfig({
  ...benchEnv(),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  STRATUS_DATA_DIR: dataDir,
});
const runtime = await createRuntime(config, { worker: true });
const state = (await scenario.prepare?.(runtime.ctx)) ?? {};
const address = scenario.listen
  ? await scenario.listen(runtime.ctx, state)
  : await (await buildApp(runtime.ctx)).listen({ host: '127.0.0.1', port: 0 });
process.send?.({ ready: address, state });
answerStats();
