// Times a product CSV import into a fresh database (SQLite unless DATABASE_URL says otherwise):
//   npx tsx bench/catalog-import.ts [variants=100000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { importProductsCsv } from '../src/modules/catalog/catalog.csv.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createRuntime } from '../src/platform/runtime.js';
import { catalogCsv } from './scenarios/catalog.js';

const variants = Number(process.argv[2] ?? 100_000);
const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-import-'));
const runtime = await createRuntime(
  loadConfig({ ...process.env, STRATUS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }),
  {
    worker: false,
    logger: createLogger('warn'),
  },
);
try {
  const csv = catalogCsv(Math.ceil(variants / 3));
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await importProductsCsv(runtime.ctx.db, csv);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  console.log(
    `imported ${result.value.products_created} products / ${result.value.variants_created} variants ` +
      `(${(csv.length / 1048576).toFixed(1)} MiB CSV) in ${(ms / 1000).toFixed(2)} s on ${runtime.ctx.database.dialect} ` +
      `(CPU ${((used.user + used.system) / 1e6).toFixed(2)} s); ` +
      `rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
  );
} finally {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
