import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** What a backup holds, stated before its data so a restore can check everything first. */
export interface Manifest {
  format: 'stratus-backup/1';
  id: string;
  created_at: string;
  source_dialect: 'sqlite' | 'postgres';
  /** How the consistent snapshot was taken. */
  method: 'sqlite-online-backup' | 'postgres-repeatable-read' | 'postgres-repeatable-read+pg_dump';
  migrations: string[];
  tables: TableManifest[];
}

export interface TableManifest {
  name: string;
  rows: number;
  /** sha256 over the table's canonical rows, sorted, so it is the same on every dialect. */
  sha256: string;
}

/** The data of one table: column names (sorted) and rows as value arrays in that order. */
export interface TableData {
  name: string;
  columns: string[];
  rows: unknown[][];
}

export interface Payload {
  tables: TableData[];
  /** The native `pg_dump --format=custom` of the same snapshot, base64, when pg_dump was on PATH. */
  pg_dump?: string;
}

const MAGIC = Buffer.from('SBK1');

/** A backup that failed its integrity checks: tampered, truncated, or sealed with another key. */
export class BackupIntegrityError extends Error {
  override name = 'BackupIntegrityError';
}

/** Encodes one value so that both dialects give the same text (buffers as base64 objects). */
function canonicalValue(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array)
    return { $b64: Buffer.from(value).toString('base64') };
  if (typeof value === 'bigint') return Number(value);
  return value ?? null;
}

export function canonicalRow(row: Record<string, unknown>, columns: string[]): unknown[] {
  return columns.map((c) => canonicalValue(row[c]));
}

export function tableChecksum(rows: unknown[][]): string {
  const lines = rows.map((r) => JSON.stringify(r)).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return hash.digest('hex');
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function decodeBackupKey(value: string | undefined): Buffer {
  if (!value) throw new Error('STRATUS_BACKUP_KEY is not set: backups are always encrypted');
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('STRATUS_BACKUP_KEY must be 32 bytes encoded as base64');
  return key;
}

/**
 * The archive: `SBK1`, the header length (uint32 BE), the header JSON (manifest, key id), the IV,
 * the GCM tag, then gzip(JSON payload) encrypted with AES-256-GCM. The header is the cipher's
 * additional data, so a changed manifest fails authentication like changed data does.
 */
export function seal(manifest: Manifest, payload: Payload, key: Buffer): Buffer {
  const header = Buffer.from(
    JSON.stringify({ manifest, key_id: keyId(key), cipher: 'aes-256-gcm', compression: 'gzip' }),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header);
  const body = Buffer.concat([
    cipher.update(gzipSync(JSON.stringify(payload), { level: 6 })),
    cipher.final(),
  ]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([MAGIC, length, header, iv, cipher.getAuthTag(), body]);
}

/** Reads the manifest without decrypting (for listings); it is authenticated only by `open`. */
export function peekManifest(archive: Buffer): Manifest & { key_id: string } {
  if (archive.length < 8 || !archive.subarray(0, 4).equals(MAGIC))
    throw new BackupIntegrityError('not a Stratus backup');
  const length = archive.readUInt32BE(4);
  if (8 + length + 28 > archive.length) throw new BackupIntegrityError('backup is truncated');
  try {
    const header = JSON.parse(archive.subarray(8, 8 + length).toString('utf8')) as {
      manifest: Manifest;
      key_id: string;
    };
    return { ...header.manifest, key_id: header.key_id };
  } catch {
    throw new BackupIntegrityError('backup header is unreadable');
  }
}

/**
 * Authenticates and decrypts the archive, then checks every table's row count and checksum against
 * the manifest. Throws BackupIntegrityError on any mismatch; nothing is returned half-checked.
 */
export function open(archive: Buffer, key: Buffer): { manifest: Manifest; payload: Payload } {
  const { key_id, ...manifest } = peekManifest(archive);
  if (key_id !== keyId(key))
    throw new BackupIntegrityError(
      `backup was sealed with key ${key_id}, not the configured key ${keyId(key)}`,
    );
  const length = archive.readUInt32BE(4);
  const header = archive.subarray(8, 8 + length);
  const iv = archive.subarray(8 + length, 8 + length + 12);
  const tag = archive.subarray(8 + length + 12, 8 + length + 28);
  let payload: Payload;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(archive.subarray(8 + length + 28)), decipher.final()]);
    payload = JSON.parse(gunzipSync(plain).toString('utf8')) as Payload;
  } catch {
    throw new BackupIntegrityError('backup failed authentication: it was altered or is corrupt');
  }
  verifyPayload(manifest, payload);
  return { manifest, payload };
}

export function verifyPayload(manifest: Manifest, payload: Payload): void {
  const byName = new Map(payload.tables.map((t) => [t.name, t]));
  if (byName.size !== manifest.tables.length)
    throw new BackupIntegrityError('backup tables do not match its manifest');
  for (const expected of manifest.tables) {
    const table = byName.get(expected.name);
    if (!table) throw new BackupIntegrityError(`table ${expected.name} is missing from the backup`);
    if (table.rows.length !== expected.rows)
      throw new BackupIntegrityError(
        `table ${expected.name} has ${table.rows.length} rows, manifest says ${expected.rows}`,
      );
    if (tableChecksum(table.rows) !== expected.sha256)
      throw new BackupIntegrityError(`table ${expected.name} does not match its checksum`);
  }
}
