// A Stratus node for the ingestion benchmark: real runtime and app, fresh database (SQLite, or a
// fresh PostgreSQL schema when BENCH_PG_URL is set). On `stats` it flushes the event buffer and
// reports how many events reached the table.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { eventBufferFor } from '../../src/modules/analytics/event-buffer.js';
import { analyticsSettings } from '../../src/modules/analytics/index.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { benchEnv } from '../bench-env.js';
import { benchDatabase } from './pg-schema.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-bench-'));
const config = loadConfig({ ...benchEnv(), LOG_LEVEL: 'warn', STRATUS_DATA_DIR: dataDir });
const pg = await benchDatabase();
if (pg.database) config.database = pg.database;
const runtime = await createRuntime(config, { worker: false });
const app = await buildApp(runtime.ctx);
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ ready: address, dialect: config.database.kind });
// CPU from here on is the ingestion's (start-up and module loading excluded).
const cpuAtReady = process.cpuUsage();
process.on('message', async (message: { type?: string }) => {
  if (message?.type !== 'stats') return;
  const buffer = eventBufferFor(runtime.ctx.db, runtime.ctx.logger, analyticsSettings);
  await buffer.flush();
  const cpu = process.cpuUsage(cpuAtReady);
  const row = await runtime.ctx.db
    .selectFrom('analytics_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const sessions = await runtime.ctx.db
    .selectFrom('analytics_sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  process.send?.({
    events: Number(row.n),
    sessions: Number(sessions.n),
    flushes: buffer.flushes,
    rss: process.memoryUsage().rss,
    cpu_us: cpu.user + cpu.system,
  });
  await app.close();
  await runtime.close();
  await pg.drop();
  process.exit(0);
});
