import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { DatabaseConfig } from '../../config/config.js';
import { createPostgresPool } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type Chunk, canonicalRow, type Manifest, TableDigest } from './archive.js';

/** Bookkeeping tables that a restore recreates by migrating, not by copying. */
const SKIPPED = new Set(['schema_migrations', 'schema_migrations_lock']);
const BATCH = 1000;

/**
 * Ordinary and partitioned tables of the current schema, but not the partitions themselves: a
 * partitioned table's rows are read and written through its parent.
 */
export const PG_TABLES = `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`;

/**
 * Ordinary and virtual tables (full-text indexes hold data too), but not the shadow tables SQLite keeps
 * behind a virtual table: those are rebuilt by inserting into the virtual table, and cannot be written.
 */
export const SQLITE_TABLES = `select name from pragma_table_list
  where schema = 'main' and type in ('table', 'virtual') and name not like 'sqlite_%' order by name`;

/** Foreign keys as (child, parent) table pairs, so parents can be written first. */
export const SQLITE_FOREIGN_KEYS = `select m.name as child, p."table" as parent
  from sqlite_master m join pragma_foreign_key_list(m.name) p where m.type = 'table'`;
export const PG_FOREIGN_KEYS = `select c.relname as child, r.relname as parent
  from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class r on r.oid = k.confrelid
  join pg_namespace n on n.oid = c.relnamespace
  where k.contype = 'f' and n.nspname = current_schema()`;

/** `names` ordered so that every table comes after the tables its foreign keys point to. */
export function parentsFirst(names: string[], edges: Array<{ child: string; parent: string }>): string[] {
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of edges) {
    if (child === parent) continue;
    parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  }
  const wanted = new Set(names);
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const parent of parents.get(name) ?? []) visit(parent);
    if (wanted.has(name)) ordered.push(name);
  };
  for (const name of names) visit(name);
  return ordered;
}

/** A consistent snapshot being read: its chunks stream from the database while it is held open. */
export interface Snapshot {
  dialect: Manifest['source_dialect'];
  migrations: string[];
  chunks: AsyncGenerator<Chunk>;
  /** Final once `chunks` is exhausted (pg_dump may fail half-way). */
  method(): Manifest['method'];
}

/**
 * SQLite: the online backup API copies the live file page by page into a private snapshot while the
 * shop keeps writing (a write from another connection restarts the copy, so after the first step the
 * rest goes in one step, under one read lock). The export then streams that still snapshot.
 */
async function withSqliteSnapshot<T>(file: string, use: (snapshot: Snapshot) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-snapshot-'));
  try {
    const copy = path.join(dir, 'snapshot.db');
    const source = new BetterSqlite3(file, { fileMustExist: true, timeout: 5000 });
    try {
      await source.backup(copy, { progress: ({ totalPages }) => Math.max(100, totalPages) });
    } finally {
      source.close();
    }
    const db = new BetterSqlite3(copy, { readonly: true });
    try {
      const names = db.prepare(SQLITE_TABLES).pluck().all() as string[];
      const edges = db.prepare(SQLITE_FOREIGN_KEYS).all() as Array<{ child: string; parent: string }>;
      const migrations = names.includes('schema_migrations')
        ? (db.prepare('select name from schema_migrations order by name').pluck().all() as string[])
        : [];
      async function* chunks(): AsyncGenerator<Chunk> {
        for (const name of parentsFirst(
          names.filter((n) => !SKIPPED.has(n)),
          edges,
        )) {
          const columns = (
            db.prepare('select name from pragma_table_info(?)').pluck().all(name) as string[]
          ).sort();
          yield { kind: 'table', name, columns };
          let rows: unknown[][] = [];
          for (const row of db.prepare(`select * from "${name}"`).iterate() as Iterable<
            Record<string, unknown>
          >) {
            rows.push(canonicalRow(row, columns));
            if (rows.length >= BATCH) {
              yield { kind: 'rows', rows };
              rows = [];
            }
          }
          if (rows.length > 0) yield { kind: 'rows', rows };
        }
      }
      return await use({
        dialect: 'sqlite',
        migrations,
        chunks: chunks(),
        method: () => 'sqlite-online-backup',
      });
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** pg_dump of the exported snapshot into `file`; resolves false when it is not on PATH or fails. */
function pgDumpInto(file: string, url: string, schema: string, snapshotId: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshotId}`, `--schema=${schema}`, '--no-owner', `--dbname=${url}`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const out = createWriteStream(file);
    child.stdout.pipe(out);
    // Not on PATH, or a server newer than the client: the logical export alone is the backup.
    child.once('error', () => resolve(false));
    child.once('close', (code) => out.end(() => resolve(code === 0)));
  });
}

async function* cursorRows(client: pg.PoolClient, name: string, columns: string[]): AsyncGenerator<Chunk> {
  await client.query(`declare backup_rows no scroll cursor for select * from "${name}"`);
  try {
    for (;;) {
      const { rows } = await client.query<Record<string, unknown>>(`fetch ${BATCH} from backup_rows`);
      if (rows.length > 0) yield { kind: 'rows', rows: rows.map((r) => canonicalRow(r, columns)) };
      if (rows.length < BATCH) break;
    }
  } finally {
    await client.query('close backup_rows');
  }
}

async function* fileChunks(file: string): AsyncGenerator<Chunk> {
  const handle = await openFile(file, 'r');
  try {
    for (;;) {
      const buffer = Buffer.alloc(48 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      yield { kind: 'pg_dump', data: buffer.subarray(0, bytesRead) };
    }
  } finally {
    await handle.close();
  }
}

/**
 * PostgreSQL: one REPEATABLE READ, READ ONLY transaction sees a single snapshot for every table,
 * however long the export takes and whatever commits meanwhile; each table streams through a cursor.
 * When pg_dump is on PATH it dumps the very same snapshot (`--snapshot` of the exported id) to a temp
 * file meanwhile, which goes into the archive after the tables.
 */
async function withPostgresSnapshot<T>(
  config: Extract<DatabaseConfig, { kind: 'postgres' }>,
  use: (snapshot: Snapshot) => Promise<T>,
  pgDump: boolean,
): Promise<T> {
  const pool = createPostgresPool(config.url, 1, config.searchPath);
  const client = await pool.connect();
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-pgdump-'));
  try {
    await client.query('begin isolation level repeatable read read only');
    const { rows } = await client.query<{ id: string; schema: string }>(
      'select pg_export_snapshot() as id, current_schema() as schema',
    );
    const dumpFile = path.join(dir, 'dump');
    const dumped = pgDump
      ? pgDumpInto(dumpFile, config.url, rows[0]!.schema, rows[0]!.id)
      : Promise.resolve(false);
    let withDump = false;
    const names = (await client.query<{ name: string }>(PG_TABLES)).rows.map((r) => r.name);
    const edges = (await client.query<{ child: string; parent: string }>(PG_FOREIGN_KEYS)).rows;
    const migrations = names.includes('schema_migrations')
      ? (await client.query<{ name: string }>('select name from schema_migrations order by name')).rows.map(
          (r) => r.name,
        )
      : [];
    async function* chunks(): AsyncGenerator<Chunk> {
      for (const name of parentsFirst(
        names.filter((n) => !SKIPPED.has(n)),
        edges,
      )) {
        const { rows: cols } = await client.query<{ name: string }>(
          `select column_name as name from information_schema.columns
           where table_schema = current_schema() and table_name = $1`,
          [name],
        );
        const columns = cols.map((c) => c.name).sort();
        yield { kind: 'table', name, columns };
        yield* cursorRows(client, name, columns);
      }
      withDump = await dumped;
      if (withDump) yield* fileChunks(dumpFile);
    }
    const result = await use({
      dialect: 'postgres',
      migrations,
      chunks: chunks(),
      method: () => (withDump ? 'postgres-repeatable-read+pg_dump' : 'postgres-repeatable-read'),
    });
    await dumped;
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Holds a consistent snapshot of the whole database open while `use` streams it. */
export function withSnapshot<T>(
  config: DatabaseConfig,
  use: (snapshot: Snapshot) => Promise<T>,
  options: { pgDump?: boolean } = {},
): Promise<T> {
  return config.kind === 'sqlite'
    ? withSqliteSnapshot(config.file, use)
    : withPostgresSnapshot(config, use, options.pgDump ?? true);
}

export const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** The manifest of a database as it is now (counts and checksums), computed without keeping rows. */
export function takeSnapshot(config: DatabaseConfig): Promise<{ manifest: Manifest }> {
  return withSnapshot(
    config,
    async (snapshot) => {
      const digests: TableDigest[] = [];
      for await (const chunk of snapshot.chunks) {
        if (chunk.kind === 'table') digests.push(new TableDigest(chunk.name));
        else if (chunk.kind === 'rows') for (const row of chunk.rows) digests.at(-1)!.add(row);
      }
      return {
        manifest: {
          format: 'stratus-backup/2',
          id: newId('bkp'),
          created_at: now(),
          source_dialect: snapshot.dialect,
          method: snapshot.method(),
          migrations: snapshot.migrations,
          tables: digests.map((d) => d.toManifest()).sort(byName),
        },
      };
    },
    { pgDump: false },
  );
}
