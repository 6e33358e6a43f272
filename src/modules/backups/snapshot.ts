import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { DatabaseConfig } from '../../config/config.js';
import { createPostgresPool } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { canonicalRow, type Manifest, type Payload, type TableData, tableChecksum } from './archive.js';

/** Bookkeeping tables that a restore recreates by migrating, not by copying. */
const SKIPPED = new Set(['schema_migrations', 'schema_migrations_lock']);

/**
 * Ordinary and virtual tables (full-text indexes hold data too), but not the shadow tables SQLite keeps
 * behind a virtual table: those are rebuilt by inserting into the virtual table, and cannot be written.
 */
/**
 * Ordinary and partitioned tables of the current schema, but not the partitions themselves: a
 * partitioned table's rows are read and written through its parent.
 */
export const PG_TABLES = `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`;

export const SQLITE_TABLES = `select name from pragma_table_list
  where schema = 'main' and type in ('table', 'virtual') and name not like 'sqlite_%' order by name`;

export interface Snapshot {
  manifest: Manifest;
  payload: Payload;
}

function build(
  method: Manifest['method'],
  dialect: Manifest['source_dialect'],
  migrations: string[],
  tables: TableData[],
  pgDump?: Buffer,
): Snapshot {
  const sorted = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  return {
    manifest: {
      format: 'stratus-backup/1',
      id: newId('bkp'),
      created_at: now(),
      source_dialect: dialect,
      method,
      migrations,
      tables: sorted.map((t) => ({ name: t.name, rows: t.rows.length, sha256: tableChecksum(t.rows) })),
    },
    payload: { tables: sorted, ...(pgDump ? { pg_dump: pgDump.toString('base64') } : {}) },
  };
}

function readSqlite(db: BetterSqlite3.Database): { migrations: string[]; tables: TableData[] } {
  const names = db.prepare(SQLITE_TABLES).pluck().all() as string[];
  const tables: TableData[] = [];
  for (const name of names.filter((n) => !SKIPPED.has(n))) {
    const columns = (
      db.prepare(`select name from pragma_table_info(?)`).pluck().all(name) as string[]
    ).sort();
    const rows = (db.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]).map((r) =>
      canonicalRow(r, columns),
    );
    tables.push({ name, columns, rows });
  }
  const migrations = names.includes('schema_migrations')
    ? (db.prepare('select name from schema_migrations order by name').pluck().all() as string[])
    : [];
  return { migrations, tables };
}

/**
 * SQLite: the online backup API copies the live file page by page into a private snapshot while the
 * shop keeps writing (a write from another connection restarts the copy, so after the first step the
 * rest goes in one step, under one read lock). The export then reads that still snapshot.
 */
async function snapshotSqlite(file: string): Promise<Snapshot> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-snapshot-'));
  try {
    const copy = path.join(dir, 'snapshot.db');
    const source = new BetterSqlite3(file, { fileMustExist: true, timeout: 5000 });
    try {
      await source.backup(copy, { progress: ({ totalPages }) => Math.max(100, totalPages) });
    } finally {
      source.close();
    }
    const snapshot = new BetterSqlite3(copy, { readonly: true });
    try {
      const { migrations, tables } = readSqlite(snapshot);
      return build('sqlite-online-backup', 'sqlite', migrations, tables);
    } finally {
      snapshot.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pgDumpSnapshot(url: string, schema: string, snapshotId: string): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    execFile(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshotId}`, `--schema=${schema}`, '--no-owner', `--dbname=${url}`],
      { encoding: 'buffer', maxBuffer: 1024 ** 3 },
      // Not on PATH, or a server newer than the client: the logical export alone is the backup.
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

async function exportPostgres(client: pg.PoolClient): Promise<{ migrations: string[]; tables: TableData[] }> {
  const { rows: names } = await client.query<{ name: string }>(PG_TABLES);
  const tables: TableData[] = [];
  for (const { name } of names) {
    if (SKIPPED.has(name)) continue;
    const { rows: cols } = await client.query<{ name: string }>(
      `select column_name as name from information_schema.columns
       where table_schema = current_schema() and table_name = $1`,
      [name],
    );
    const columns = cols.map((c) => c.name).sort();
    const { rows } = await client.query<Record<string, unknown>>(`select * from "${name}"`);
    tables.push({ name, columns, rows: rows.map((r) => canonicalRow(r, columns)) });
  }
  const migrations = names.some((n) => n.name === 'schema_migrations')
    ? (await client.query<{ name: string }>('select name from schema_migrations order by name')).rows.map(
        (r) => r.name,
      )
    : [];
  return { migrations, tables };
}

/**
 * PostgreSQL: one REPEATABLE READ, READ ONLY transaction sees a single snapshot for every table,
 * however long the export takes and whatever commits meanwhile. When pg_dump is on PATH it dumps the
 * very same snapshot (`--snapshot` of the exported id), so the native dump and the manifest agree.
 */
async function snapshotPostgres(config: Extract<DatabaseConfig, { kind: 'postgres' }>): Promise<Snapshot> {
  const pool = createPostgresPool(config.url, 1, config.searchPath);
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const { rows } = await client.query<{ id: string; schema: string }>(
      'select pg_export_snapshot() as id, current_schema() as schema',
    );
    const dump = pgDumpSnapshot(config.url, rows[0]!.schema, rows[0]!.id);
    const { migrations, tables } = await exportPostgres(client);
    const pgDump = await dump;
    await client.query('commit');
    return build(
      pgDump ? 'postgres-repeatable-read+pg_dump' : 'postgres-repeatable-read',
      'postgres',
      migrations,
      tables,
      pgDump,
    );
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
    await pool.end();
  }
}

/** A consistent snapshot of the whole database, with its manifest. */
export function takeSnapshot(config: DatabaseConfig): Promise<Snapshot> {
  return config.kind === 'sqlite' ? snapshotSqlite(config.file) : snapshotPostgres(config);
}
