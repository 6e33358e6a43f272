import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config, DatabaseConfig } from '../../config/config.js';
import { createPostgresPool } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { BackupIntegrityError, decodeBackupKey, keyId, type Manifest } from './archive.js';
import {
  type ArchiveSource,
  bufferSource,
  fileSource,
  peekManifest,
  readChunks,
  writeArchive,
} from './archive-stream.js';
import { RestoreRefusedError, restoreInto } from './restore.js';
import { backupsToKeep, backupTime } from './retention.js';
import { takeSnapshot, withSnapshot } from './snapshot.js';
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

/** Takes a consistent snapshot and streams it, sealed (gzip + AES-256-GCM), to a file, then stores it. */
export async function runBackup(
  config: Config,
  options: { storage?: BackupStorage; key?: Buffer } = {},
): Promise<BackupResult> {
  const key = options.key ?? backupKey(config);
  const storage = options.storage ?? storageFor(config.backup);
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-backup-'));
  try {
    const file = path.join(dir, 'archive.sbk');
    const { manifest, bytes } = await withSnapshot(config.database, (snapshot) =>
      writeArchive(
        file,
        key,
        {
          format: 'stratus-backup/2',
          id: newId('bkp'),
          created_at: now(),
          source_dialect: snapshot.dialect,
          migrations: snapshot.migrations,
        },
        snapshot.chunks,
        snapshot.method,
      ),
    );
    const name = backupName(new Date(manifest.created_at));
    await storage.putFile(name, file);
    return { name, bytes, manifest, target: storage.describe() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a backup to read is: in storage by name, a local file, or (tests) bytes in memory. */
export interface ArchiveLocation {
  storage?: BackupStorage;
  file?: string;
  archive?: Buffer;
}

/** Opens the archive as often as asked (each read re-authenticates it) until `use` is done. */
async function withArchive<T>(
  name: string,
  where: ArchiveLocation,
  defaultStorage: () => BackupStorage,
  use: (open: () => Promise<ArchiveSource>) => Promise<T>,
): Promise<T> {
  const { archive } = where;
  if (archive) return use(async () => bufferSource(archive));
  const fetched = where.file
    ? { file: where.file, release: async () => {} }
    : await (where.storage ?? defaultStorage()).fetchFile(name);
  try {
    return await use(() => fileSource(fetched.file));
  } finally {
    await fetched.release();
  }
}

/** Reads a whole archive once: authentication, row counts, checksums. Throws if any fails. */
async function checkArchive(source: ArchiveSource, key: Buffer): Promise<Manifest> {
  try {
    for await (const _chunk of readChunks(source, key));
    return await peekManifest(source);
  } finally {
    await source.close();
  }
}

/** Fetches and fully checks a backup (authentication, row counts, checksums); throws if any fails. */
export function readBackup(storage: BackupStorage, name: string, key: Buffer): Promise<Manifest> {
  return withArchive(
    name,
    { storage },
    () => storage,
    async (open) => checkArchive(await open(), key),
  );
}

/**
 * Restores backup `name` into `target` (by default the configured database). A first pass reads the
 * whole archive and checks it before the target is opened; the second streams it into the target,
 * which must be empty, in one transaction.
 */
export async function restoreBackup(
  config: Config,
  name: string,
  options: ArchiveLocation & { key?: Buffer; target?: DatabaseConfig } = {},
) {
  const key = options.key ?? backupKey(config);
  return withArchive(
    name,
    options,
    () => storageFor(config.backup),
    async (open) => {
      const manifest = await checkArchive(await open(), key);
      const source = await open();
      try {
        const restored = await restoreInto(
          options.target ?? config.database,
          manifest,
          readChunks(source, key),
        );
        return { manifest, ...restored };
      } finally {
        await source.close();
      }
    },
  );
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
  options: ArchiveLocation & { key?: Buffer; scratch?: 'sqlite' | 'postgres' } = {},
): Promise<VerifyReport> {
  const key = options.key ?? backupKey(config);
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
    // The restore reads the archive through, authenticated and checked; then the scratch copy is
    // compared with the manifest, table by table.
    const manifest = await withArchive(
      name,
      options,
      () => storageFor(config.backup),
      async (open) => {
        const source = await open();
        try {
          await restoreInto(scratch, await peekManifest(source), readChunks(source, key));
          return await peekManifest(source);
        } finally {
          await source.close();
        }
      },
    );
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
