import type { Config } from '../config/config.js';
import { createDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrator.js';
import { listDeadLetters, outboxBacklog, replayDeadLetters } from '../platform/events/dead-letters.js';
import { UsageError } from './migrate.js';

const USAGE = 'usage: stratus events [stats | dead | replay <delivery-id...> | replay --all]';

/** `stratus events`: inspect the outbox backlog and dead letters, and replay them. */
export async function events(config: Config, args: string[]): Promise<void> {
  const [action = 'stats', ...rest] = args;
  const database = createDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    if (action === 'stats') {
      const rows = await outboxBacklog(database.db);
      if (rows.length === 0) console.log('Outbox is empty: every event is delivered.');
      for (const r of rows)
        console.log(`${r.subscriber}\t${r.status}\t${r.count}\toldest ${r.oldest ?? '-'}`);
    } else if (action === 'dead') {
      const rows = await listDeadLetters(database.db);
      if (rows.length === 0) console.log('No dead letters.');
      for (const r of rows) {
        console.log(
          `${r.id}\t${r.topic}\t${r.subscriber}\tattempts=${r.attempts}\t${r.updated_at}\t${r.last_error ?? ''}`,
        );
      }
    } else if (action === 'replay') {
      if (rest.length === 0) throw new UsageError(USAGE);
      const ids = rest.includes('--all') ? undefined : rest;
      const count = await replayDeadLetters(database.db, ids);
      console.log(`Re-queued ${count} dead deliver${count === 1 ? 'y' : 'ies'}.`);
    } else {
      throw new UsageError(USAGE);
    }
  } finally {
    await database.destroy();
  }
}
