import { type Kysely, sql } from 'kysely';
import type { DatabaseConfig } from '../../config/config.js';
import { migrations as knownMigrations } from '../../migrations/index.js';
import { createDatabase, type Database } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrator.js';
import type { Chunk, Manifest } from './archive.js';
import { PG_FOREIGN_KEYS, PG_TABLES, parentsFirst, SQLITE_FOREIGN_KEYS, SQLITE_TABLES } from './snapshot.js';

/** The target is not fit for a restore (not empty, or a newer schema); nothing was written. */
export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
}

// Restore writes tables by name from the manifest, so the schema is not known statically here.
// biome-ignore lint/suspicious/noExplicitAny: table names come from the backup at run time.
type AnyDb = Kysely<any>;

/** Tables in the target's own schema (Kysely's introspection lists every schema on PostgreSQL). */
export async function existingTables(database: Database): Promise<Set<string>> {
  const query =
    database.dialect === 'sqlite'
      ? sql<{ name: string }>`${sql.raw(SQLITE_TABLES)}`
      : sql<{ name: string }>`${sql.raw(PG_TABLES)}`;
  const { rows } = await query.execute(database.db);
  return new Set(rows.map((r) => r.name));
}

async function rowCount(db: AnyDb, table: string): Promise<number> {
  const row = await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The target's tables, parents first by its foreign keys. */
async function targetOrder(database: Database, names: string[]): Promise<string[]> {
  const query = database.dialect === 'sqlite' ? SQLITE_FOREIGN_KEYS : PG_FOREIGN_KEYS;
  const { rows } = await sql<{ child: string; parent: string }>`${sql.raw(query)}`.execute(database.db);
  return parentsFirst(names, rows);
}

function decodeValue(value: unknown): unknown {
  if (value && typeof value === 'object' && '$b64' in value) return Buffer.from(String(value.$b64), 'base64');
  return value;
}

/**
 * Restores a backup into `target`, which must hold no rows in any of the backup's tables (a new
 * database, or one only migrated). The schema is migrated to this build's latest first; then, in one
 * transaction, rows a migration may have seeded are cleared and the backup's rows stream in (tables
 * come parents first, as the snapshot wrote them), so a failure, including a failed integrity check
 * at the end of `chunks`, leaves the tables empty. Works across dialects: a SQLite backup restores
 * into PostgreSQL.
 */
export async function restoreInto(
  target: DatabaseConfig,
  manifest: Manifest,
  chunks: AsyncIterable<Chunk>,
): Promise<{ tables: number; rows: number }> {
  const unknown = manifest.migrations.filter((m) => !(m in knownMigrations));
  if (unknown.length > 0)
    throw new RestoreRefusedError(`backup comes from a newer Stratus (migrations ${unknown.join(', ')})`);
  const database = createDatabase(target);
  try {
    const db = database.db as AnyDb;
    const present = await existingTables(database);
    for (const table of manifest.tables) {
      if (present.has(table.name) && (await rowCount(db, table.name)) > 0)
        throw new RestoreRefusedError(`target is not empty: table ${table.name} has rows`);
    }
    await migrateToLatest(database.db);
    const after = await existingTables(database);
    const missing = manifest.tables.filter((t) => !after.has(t.name)).map((t) => t.name);
    if (missing.length > 0)
      throw new RestoreRefusedError(`target schema has no table ${missing.join(', ')} after migrating`);
    const clearing = await targetOrder(
      database,
      manifest.tables.map((t) => t.name),
    );
    let rows = 0;
    let tables = 0;
    await db.transaction().execute(async (trx) => {
      for (const name of [...clearing].reverse()) await trx.deleteFrom(name).execute();
      let table: { name: string; columns: string[] } | undefined;
      for await (const chunk of chunks) {
        if (chunk.kind === 'table') {
          table = chunk;
          tables++;
        } else if (chunk.kind === 'rows' && table) {
          const { name, columns } = table;
          // Stay under both dialects' bound-parameter limits.
          const size = Math.max(1, Math.floor(30_000 / Math.max(1, columns.length)));
          for (let i = 0; i < chunk.rows.length; i += size) {
            const values = chunk.rows
              .slice(i, i + size)
              .map((row) => Object.fromEntries(columns.map((c, j) => [c, decodeValue(row[j])])));
            await trx.insertInto(name).values(values).execute();
          }
          rows += chunk.rows.length;
        }
      }
    });
    return { tables, rows };
  } finally {
    await database.destroy();
  }
}
