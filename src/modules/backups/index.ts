// Backups: consistent, compressed and encrypted snapshots of the whole database, streamed to a directory or
// S3-compatible storage, with checked restore (also SQLite -> PostgreSQL), verify, and retention.
import { registerJob } from '../../platform/jobs/registry.js';
import type { StratusModule } from '../index.js';
import { recordUsage } from '../metering/index.js';
import { backupKey, pruneBackups, runBackup } from './backups.service.js';
import { storageFor } from './storage.js';

export { BackupIntegrityError, type Manifest } from './archive.js';
export { type ArchiveSource, bufferSource, fileSource, peekManifest } from './archive-stream.js';
export {
  backupKey,
  pruneBackups,
  RestoreRefusedError,
  readBackup,
  restoreBackup,
  runBackup,
  verifyBackup,
} from './backups.service.js';
export { backupsToKeep } from './retention.js';
export { type BackupStorage, DirectoryStorage, S3Storage, storageFor } from './storage.js';

// The scheduled backup runs on the scheduler leader when a target and key are configured, then
// applies the retention policy (STRATUS_BACKUP_KEEP_DAILY/WEEKLY/MONTHLY, 7/4/12 by default). It reads
// the runtime's configuration (not process.env) and refuses a backup key equal to the data key, as
// the CLI and the admin route do. STRATUS_BACKUP_SCHEDULED=false leaves scheduling to the platform.
registerJob({
  name: 'backups.scheduled',
  schedule: '30 2 * * *',
  run: async ({ db, logger, config, secrets }) => {
    if (!config || !secrets) throw new Error('backups.scheduled needs the runtime configuration and secrets');
    if (!config.backup.scheduled) {
      logger.info('STRATUS_BACKUP_SCHEDULED=false: the platform schedules backups; skipped');
      return;
    }
    if (!config.backup.target || !config.backup.key) {
      logger.info('no STRATUS_BACKUP_TARGET or STRATUS_BACKUP_KEY: scheduled backup skipped');
      return;
    }
    const key = backupKey(config, secrets.encryptionKey);
    const storage = storageFor(config.backup);
    const result = await runBackup(config, { storage, key });
    await recordUsage(db, 'backup_bytes', result.bytes);
    const pruned = await pruneBackups(storage, config.backup.retention);
    logger.info({ backup: result.name, bytes: result.bytes, pruned: pruned.length }, 'backup stored');
  },
});

/** Routes live in the system module (`/admin/system/backups`); the CLI and this job drive the rest. */
export const backupsModule: StratusModule = { name: 'backups', routes: async () => {} };
