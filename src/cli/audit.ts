import type { Config } from '../config/config.js';
import { verifyAuditChain } from '../modules/audit/index.js';
import { createDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrator.js';
import { UsageError } from './migrate.js';

/** `stratus audit verify`: walks the hash chain; exits 1 when any row was edited or deleted. */
export async function audit(config: Config, args: string[]): Promise<void> {
  if ((args[0] ?? 'verify') !== 'verify') throw new UsageError('usage: stratus audit verify');
  const database = createDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const report = await verifyAuditChain(database.db);
    if (report.ok) {
      console.log(`Audit log intact: ${report.entries} entries, hash chain verified.`);
    } else {
      for (const p of report.problems) console.log(`seq ${p.seq}: ${p.problem}`);
      console.log(`Audit log TAMPERED: ${report.problems.length} problem(s) in ${report.entries} entries.`);
      process.exitCode = 1;
    }
  } finally {
    await database.destroy();
  }
}
