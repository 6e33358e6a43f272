// Memory of a streamed backup against the size of the database, on a fresh SQLite store:
//   npx tsx bench/backup-memory.ts [megabytes=200]
// Fills outbox_events with ~`megabytes` of hard-to-compress payloads, then runs backup, verify and
// restore, and reports each step's peak RSS growth over the RSS before the step (a baseline from the
// same run) beside the database and archive sizes. A streamed backup's growth stays flat as the
// database grows; an in-memory one grows with it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { DirectoryStorage, restoreBackup, runBackup, verifyBackup } from '../src/modules/backups/index.js';
import { newId } from '../src/platform/db/ids.js';
import { now } from '../src/platform/db/time.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createRuntime } from '../src/platform/runtime.js';

const megabytes = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(path.join(tmpdir(), 'stratus-backup-bench-'));
const key = randomBytes(32);
const config = loadConfig({ STRATUS_DATA_DIR: dir, LOG_LEVEL: 'silent' });
config.backup = { ...config.backup, key: key.toString('base64'), target: path.join(dir, 'backups') };
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Peak RSS during `work`, sampled every 20 ms, minus the RSS just before it. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth_mb: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth_mb: mb(peak - before) };
  } finally {
    clearInterval(timer);
  }
}

const runtime = await createRuntime(config, { worker: false, logger: createLogger('silent') });
try {
  const rowBytes = 4000;
  const rows = Math.ceil((megabytes * 1024 * 1024) / rowBytes);
  for (let start = 0; start < rows; start += 1000) {
    const at = now();
    await runtime.ctx.db
      .insertInto('outbox_events')
      .values(
        Array.from({ length: Math.min(1000, rows - start) }, () => ({
          id: newId('evt'),
          topic: 'bench.fill',
          payload: JSON.stringify({ noise: randomBytes(rowBytes / 2).toString('hex') }),
          created_at: at,
        })),
      )
      .execute();
  }
  const dbFile = config.database.kind === 'sqlite' ? config.database.file : '';
  console.log(`database: ${mb(statSync(dbFile).size)} MB, ${rows} rows of ${rowBytes} bytes`);
  const storage = new DirectoryStorage(config.backup.target!);
  const backup = await peakGrowth(() => runBackup(config, { storage, key }));
  console.log(`backup:  archive ${mb(backup.result.bytes)} MB, peak RSS growth ${backup.growth_mb} MB`);
  const verify = await peakGrowth(() => verifyBackup(config, backup.result.name, { storage, key }));
  console.log(`verify:  ok=${verify.result.ok}, peak RSS growth ${verify.growth_mb} MB`);
  const target = { kind: 'sqlite' as const, file: path.join(dir, 'restored.db') };
  const restore = await peakGrowth(() => restoreBackup(config, backup.result.name, { storage, key, target }));
  console.log(`restore: ${restore.result.rows} rows, peak RSS growth ${restore.growth_mb} MB`);
} finally {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}
