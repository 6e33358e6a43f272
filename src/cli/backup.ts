import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { loadSecrets } from '../config/secrets.js';
import {
  backupKey,
  peekManifest,
  pruneBackups,
  restoreBackup,
  runBackup,
  storageFor,
  verifyBackup,
} from '../modules/backups/index.js';
import { recordUsage } from '../modules/metering/index.js';
import { createDatabase } from '../platform/db/database.js';
import { UsageError } from './migrate.js';

const USAGE = `usage: stratus backup [run | list | verify [name] | prune]
       stratus restore <name> [--into <database-url>] | --file <path> [--into <database-url>]`;

function key(config: Config) {
  return backupKey(config, loadSecrets(config.dataDir).encryptionKey);
}

/** `stratus backup`: take, list, verify and prune encrypted backups (STRATUS_BACKUP_TARGET, _KEY). */
export async function backup(config: Config, args: string[]): Promise<void> {
  const [action = 'run', ...rest] = args;
  const storage = storageFor(config.backup);
  if (action === 'run') {
    const result = await runBackup(config, { storage, key: key(config) });
    const database = createDatabase(config.database);
    try {
      await recordUsage(database.db, 'backup_bytes', result.bytes);
    } catch {
      // Metering is best effort here: the backup itself is stored.
    } finally {
      await database.destroy();
    }
    const rows = result.manifest.tables.reduce((sum, t) => sum + t.rows, 0);
    console.log(
      `Stored ${result.name} in ${result.target}: ${result.bytes} bytes, ${result.manifest.tables.length} tables, ${rows} rows (${result.manifest.method}).`,
    );
  } else if (action === 'list') {
    const names = await storage.list();
    if (names.length === 0) console.log(`No backups in ${storage.describe()}.`);
    for (const name of names) {
      const source = await storage.openSource(name);
      const manifest = await peekManifest(source).finally(() => source.close());
      console.log(
        `${name}\t${manifest.source_dialect}\t${manifest.tables.reduce((s, t) => s + t.rows, 0)} rows`,
      );
    }
  } else if (action === 'verify') {
    const name = rest[0] ?? (await storage.list()).at(-1);
    if (!name) throw new UsageError(`No backups in ${storage.describe()} to verify.`);
    const report = await verifyBackup(config, name, { storage, key: key(config) });
    for (const t of report.tables) {
      console.log(
        `${t.checksum_ok && t.expected_rows === t.restored_rows ? 'ok  ' : 'FAIL'}\t${t.name}\t${t.restored_rows}/${t.expected_rows} rows`,
      );
    }
    console.log(report.ok ? `Backup ${name} verified.` : `Backup ${name} FAILED verification.`);
    if (!report.ok) process.exitCode = 1;
  } else if (action === 'prune') {
    const pruned = await pruneBackups(storage, config.backup.retention);
    console.log(pruned.length ? `Deleted ${pruned.join(', ')}` : 'Nothing to prune.');
  } else {
    throw new UsageError(USAGE);
  }
}

/** `stratus restore`: check a backup completely, then restore it into an empty database. */
export async function restore(config: Config, args: string[]): Promise<void> {
  const into = args.indexOf('--into');
  const fileAt = args.indexOf('--file');
  const file = fileAt >= 0 ? args[fileAt + 1] : undefined;
  const name = args.find(
    (a, i) => !a.startsWith('--') && args[i - 1] !== '--into' && args[i - 1] !== '--file',
  );
  if (!file && !name) throw new UsageError(USAGE);
  const target =
    into >= 0 ? loadConfig({ ...process.env, DATABASE_URL: args[into + 1] ?? '' }).database : config.database;
  const result = await restoreBackup(config, name ?? file!, {
    key: key(config),
    target,
    ...(file ? { file } : { storage: storageFor(config.backup) }),
  });
  console.log(
    `Restored ${result.tables} tables, ${result.rows} rows from ${name ?? file} (${result.manifest.source_dialect}).`,
  );
}
