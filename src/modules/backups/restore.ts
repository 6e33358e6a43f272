import { type Kysely, sql } from 'kysely';
import type { DatabaseConfig } from '../../config/config.js';
import { migrations as knownMigrations } from '../../migrations/index.js';
import { createDatabase, type Database } from '../../platform/db/database.js';
import { migrateToLatest } from '../../platform/db/migrator.js';
import type { Manifest, Payload, TableData } from './archive.js';
import { PG_TABLES, SQLITE_TABLES } from './snapshot.js';

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

/** Tables referenced by each table's foreign keys in the target, so parents are filled first. */
async function foreignKeys(database: Database): Promise<Map<string, Set<string>>> {
  const db = database.db as AnyDb;
  const query =
    database.dialect === 'sqlite'
      ? sql<{ child: string; parent: string }>`select m.name as child, p."table" as parent
          from sqlite_master m join pragma_foreign_key_list(m.name) p where m.type = 'table'`
      : sql<{ child: string; parent: string }>`select c.relname as child, r.relname as parent
          from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class r on r.oid = k.confrelid
          join pg_namespace n on n.oid = c.relnamespace
          where k.contype = 'f' and n.nspname = current_schema()`;
  const { rows } = await query.execute(db);
  const deps = new Map<string, Set<string>>();
  for (const { child, parent } of rows) {
    if (child === parent) continue;
    const set = deps.get(child) ?? new Set<string>();
    set.add(parent);
    deps.set(child, set);
  }
  return deps;
}

function parentsFirst(tables: TableData[], deps: Map<string, Set<string>>): TableData[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableData[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const parent of deps.get(name) ?? []) visit(parent);
    const table = byName.get(name);
    if (table) ordered.push(table);
  };
  for (const table of tables) visit(table.name);
  return ordered;
}

function decodeValue(value: unknown): unknown {
  if (value && typeof value === 'object' && '$b64' in value) return Buffer.from(String(value.$b64), 'base64');
  return value;
}

/**
 * Restores a checked backup into `target`, which must hold no rows in any of the backup's tables (a
 * new database, or one only migrated). The schema is migrated to this build's latest first; then, in
 * one transaction, rows a migration may have seeded are cleared and the backup's rows go in, so a
 * failure leaves the tables empty. Works across dialects: a SQLite backup restores into PostgreSQL.
 */
export async function restoreInto(
  target: DatabaseConfig,
  manifest: Manifest,
  payload: Payload,
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
    const ordered = parentsFirst(payload.tables, await foreignKeys(database));
    let rows = 0;
    await db.transaction().execute(async (trx) => {
      for (const table of [...ordered].reverse()) await trx.deleteFrom(table.name).execute();
      for (const table of ordered) {
        // Stay under both dialects' bound-parameter limits.
        const size = Math.max(1, Math.floor(30_000 / Math.max(1, table.columns.length)));
        for (let i = 0; i < table.rows.length; i += size) {
          const values = table.rows
            .slice(i, i + size)
            .map((row) => Object.fromEntries(table.columns.map((c, j) => [c, decodeValue(row[j])])));
          await trx.insertInto(table.name).values(values).execute();
        }
        rows += table.rows.length;
      }
    });
    return { tables: ordered.length, rows };
  } finally {
    await database.destroy();
  }
}
