import type { Config } from '../config/config.js';
import { createDatabase } from '../platform/db/database.js';
import { migrateToLatest, migrationStatus } from '../platform/db/migrator.js';

/** `stratus migrate [up|status]`. */
export async function migrate(config: Config, args: string[]): Promise<void> {
  const action = args[0] ?? 'up';
  if (action !== 'up' && action !== 'status') throw new UsageError('usage: stratus migrate [up|status]');
  const database = createDatabase(config.database);
  try {
    if (action === 'up') {
      const applied = await migrateToLatest(database.db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    } else {
      for (const m of await migrationStatus(database.db)) {
        console.log(
          `${m.executedAt ? 'applied ' : 'pending '} ${m.name}${m.executedAt ? `  ${m.executedAt.toISOString()}` : ''}`,
        );
      }
    }
  } finally {
    await database.destroy();
  }
}

export class UsageError extends Error {}
