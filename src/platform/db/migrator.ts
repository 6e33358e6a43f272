import { type MigrationResultSet, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { type Db, dialectOf } from './database.js';

/**
 * On PostgreSQL, the schema the migration tables live in: the connection's current schema. Kysely looks
 * for its tables in every schema unless told one, so without this a database holding other Stratus
 * schemas (parallel test runs, several stores) would find another schema's lock table and skip its own.
 */
async function migrationSchema(db: Db): Promise<string | undefined> {
  if (dialectOf(db) !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

export function createMigrator(db: Db, schema?: string): Migrator {
  return new Migrator({
    ...(schema ? { migrationTableSchema: schema } : {}),
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Each module numbers its migrations in its own range (see src/migrations/index.ts), so modules
    // built in parallel may land in any order.
    allowUnorderedMigrations: true,
  });
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const result: MigrationResultSet = await createMigrator(db, await migrationSchema(db)).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function migrationStatus(
  db: Db,
): Promise<Array<{ name: string; executedAt: Date | undefined }>> {
  const list = await createMigrator(db, await migrationSchema(db)).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
