import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { after } from '../db/time.js';
import type { JobDefinition } from '../jobs/scheduler.js';

/** Deletes events older than `olderThanMs` whose deliveries have all succeeded. Dead letters stay. */
export async function pruneDeliveredEvents(db: Db, olderThanMs: number): Promise<number> {
  const cutoff = after(-olderThanMs);
  const result = await db
    .deleteFrom('outbox_events')
    .where('created_at', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('outbox_deliveries')
            .select(sql`1`.as('one'))
            .whereRef('outbox_deliveries.event_id', '=', 'outbox_events.id')
            .where('outbox_deliveries.status', '!=', 'done'),
        ),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export const outboxPruneJob: JobDefinition = {
  name: 'outbox.prune',
  schedule: '17 3 * * *',
  run: async ({ db, logger }) => {
    const deleted = await pruneDeliveredEvents(db, 7 * 24 * 3600 * 1000);
    logger.info({ deleted }, 'pruned delivered outbox events');
  },
};
