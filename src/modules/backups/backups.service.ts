import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config, DatabaseConfig } from '../../config/config.js';
import { createPostgresPool } from '../../platform/db/database.js';
import { BackupIntegrityError, decodeBackupKey, keyId, type Manifest, open, seal } from './archive.js';
import { RestoreRefusedError, restoreInto } from './restore.js';
import { backupsToKeep, backupTime } from './retention.js';
import { takeSnapshot } from './snapshot.js';
import { type BackupStorage, storageFor } from './storage.js';

export interface BackupResult {
  name: string;
  bytes: number;
  manifest: Manifest;
  target: string;
}

function backupName(at = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `stratus-${stamp}-${randomBytes(4).toString('hex')}.sbk`;
}

/** The backup key must not be the data key: a leaked backup must not also unlock the live data. */
export function backupKey(config: Config, dataKey?: Buffer): Buffer {
  const key = decodeBackupKey(config.backup.key);
  if (dataKey && key.equals(dataKey))
    throw new Error('STRATUS_BACKUP_KEY must differ from STRATUS_ENCRYPTION_KEY (the data key)');
  return key;
}

/** Takes a consistent snapshot, seals it (gzip + AES-256-GCM) and stores it. */
export async function runBackup(
  config: Config,
  options: { storage?: BackupStorage; key?: Buffer } = {},
): Promise<BackupResult> {
  const key = options.key ?? backupKey(config);
  const storage = options.storage ?? storageFor(config.backup);
  const { manifest, payload } = await takeSnapshot(config.database);
  const archive = seal(manifest, payload, key);
  const name = backupName(new Date(manifest.created_at));
  await storage.put(name, archive);
  return { name, bytes: archive.length, manifest, target: storage.describe() };
}

/** Fetches and fully checks a backup (authentication, row counts, checksums); throws if any fails. */
export async function readBackup(storage: BackupStorage, name: string, key: Buffer) {
  return open(await storage.get(name), key);
}

/**
 * Restores backup `name` into `target` (by default the configured database). Every check runs
 * before the target is opened; the target must be empty.
 */
export async function restoreBackup(
  config: Config,
  name: string,
  options: { storage?: BackupStorage; key?: Buffer; target?: DatabaseConfig; archive?: Buffer } = {},
) {
  const key = options.key ?? backupKey(config);
  const archive = options.archive ?? (await (options.storage ?? storageFor(config.backup)).get(name));
  const { manifest, payload } = open(archive, key);
  const restored = await restoreInto(options.target ?? config.database, manifest, payload);
  return { manifest, ...restored };
}

export interface VerifyReport {
  name: string;
  ok: boolean;
  tables: Array<{ name: string; expected_rows: number; restored_rows: number; checksum_ok: boolean }>;
}

/**
 * Test-restores a backup into a scratch database of the configured kind (a temp SQLite file, or a
 * temporary schema in the PostgreSQL database), snapshots the result and compares it with the
 * backup's manifest table by table. The scratch database is dropped afterwards.
 */
export async function verifyBackup(
  config: Config,
  name: string,
  options: { storage?: BackupStorage; key?: Buffer; scratch?: 'sqlite' | 'postgres' } = {},
): Promise<VerifyReport> {
  const key = options.key ?? backupKey(config);
  const { manifest, payload } = await readBackup(options.storage ?? storageFor(config.backup), name, key);
  const kind = options.scratch ?? config.database.kind;
  let scratch: DatabaseConfig;
  let drop: () => Promise<void>;
  if (kind === 'postgres' && config.database.kind === 'postgres') {
    const schema = `stratus_verify_${randomBytes(6).toString('hex')}`;
    const admin = createPostgresPool(config.database.url, 1);
    await admin.query(`create schema ${schema}`);
    await admin.end();
    scratch = { kind: 'postgres', url: config.database.url, poolMax: 2, searchPath: schema };
    drop = async () => {
      const pool = createPostgresPool((scratch as { url: string }).url, 1);
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    };
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-verify-'));
    scratch = { kind: 'sqlite', file: path.join(dir, 'scratch.db') };
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  try {
    await restoreInto(scratch, manifest, payload);
    const restored = await takeSnapshot(scratch);
    const byName = new Map(restored.manifest.tables.map((t) => [t.name, t]));
    const tables = manifest.tables.map((t) => ({
      name: t.name,
      expected_rows: t.rows,
      restored_rows: byName.get(t.name)?.rows ?? 0,
      checksum_ok: byName.get(t.name)?.sha256 === t.sha256,
    }));
    return {
      name,
      ok: tables.every((t) => t.checksum_ok && t.expected_rows === t.restored_rows),
      tables,
    };
  } finally {
    await drop();
  }
}

/** Deletes backups the retention policy does not keep; returns their names. */
export async function pruneBackups(
  storage: BackupStorage,
  policy: Config['backup']['retention'],
): Promise<string[]> {
  const names = await storage.list();
  const keep = backupsToKeep(
    names.map((name) => ({ name, at: backupTime(name) })),
    policy,
  );
  const doomed = names.filter((n) => !keep.has(n));
  for (const name of doomed) await storage.delete(name);
  return doomed;
}

export { BackupIntegrityError, keyId, RestoreRefusedError };
