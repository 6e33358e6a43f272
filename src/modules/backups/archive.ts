import { createHash } from 'node:crypto';

/**
 * What a backup holds. The header states where it came from; the table counts and checksums are
 * only known once the data has streamed past, so they travel in the archive's trailer (and are
 * authenticated with the last segment).
 */
export interface Manifest {
  format: 'stratus-backup/2';
  id: string;
  created_at: string;
  source_dialect: 'sqlite' | 'postgres';
  /** How the consistent snapshot was taken. */
  method: 'sqlite-online-backup' | 'postgres-repeatable-read' | 'postgres-repeatable-read+pg_dump';
  migrations: string[];
  tables: TableManifest[];
  /** The native `pg_dump --format=custom` of the same snapshot, when pg_dump was on PATH. */
  pg_dump?: { bytes: number; sha256: string };
}

export interface TableManifest {
  name: string;
  rows: number;
  /**
   * The sum modulo 2^256 of SHA-256 over each canonical row: independent of row order, so it can be
   * computed while streaming and is the same on every dialect.
   */
  sha256: string;
}

/** What flows through an archive, in order: a table's columns, then its rows in batches; pg_dump last. */
export type Chunk =
  | { kind: 'table'; name: string; columns: string[] }
  | { kind: 'rows'; rows: unknown[][] }
  | { kind: 'pg_dump'; data: Buffer };

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

const MOD = (1n << 256n) - 1n;

/** Row count and order-independent checksum of one table, fed row by row. */
export class TableDigest {
  rows = 0;
  #sum = 0n;
  constructor(readonly name: string) {}
  add(row: unknown[]): void {
    this.rows++;
    this.#sum =
      (this.#sum + BigInt(`0x${createHash('sha256').update(JSON.stringify(row)).digest('hex')}`)) & MOD;
  }
  toManifest(): TableManifest {
    return { name: this.name, rows: this.rows, sha256: this.#sum.toString(16).padStart(64, '0') };
  }
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

/** Compares a manifest with what was read; throws on the first difference. */
export function compareTables(expected: TableManifest[], actual: TableManifest[]): void {
  const byName = new Map(actual.map((t) => [t.name, t]));
  if (byName.size !== expected.length)
    throw new BackupIntegrityError('backup tables do not match its manifest');
  for (const table of expected) {
    const read = byName.get(table.name);
    if (!read) throw new BackupIntegrityError(`table ${table.name} is missing from the backup`);
    if (read.rows !== table.rows)
      throw new BackupIntegrityError(
        `table ${table.name} has ${read.rows} rows, manifest says ${table.rows}`,
      );
    if (read.sha256 !== table.sha256)
      throw new BackupIntegrityError(`table ${table.name} does not match its checksum`);
  }
}
