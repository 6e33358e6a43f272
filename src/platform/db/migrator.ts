import { type MigrationResultSet, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { type Db, dialectOf } from './database.js';

/**
 * On PostgreSQL the migration tables are pinned to the connection's current schema: Kysely's
 * existence check otherwise looks across every schema, and a second schema in the same database (a
 * test run, a tenant) would be taken as already migrated.
 */
async function createMigrator(db: Db): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (dialectOf(db) === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
    // Each module numbers its migrations in its own range (see src/migrations/index.ts), so modules
    // built in parallel may land in any order.
    allowUnorderedMigrations: true,
  });
}

/** Applies every pending migration; throws with the failing migration's name and cause. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const result: MigrationResultSet = await (await createMigrator(db)).migrateToLatest();
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
  const list = await (await createMigrator(db)).getMigrations();
  return list.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}
