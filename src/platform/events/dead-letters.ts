import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';

export interface DeadLetter {
  id: string;
  event_id: string;
  topic: string;
  subscriber: string;
  attempts: number;
  last_error: string | null;
  updated_at: string;
}

export async function listDeadLetters(db: Db, limit = 100): Promise<DeadLetter[]> {
  return db
    .selectFrom('outbox_deliveries as d')
    .innerJoin('outbox_events as e', 'e.id', 'd.event_id')
    .select(['d.id', 'd.event_id', 'e.topic', 'd.subscriber', 'd.attempts', 'd.last_error', 'd.updated_at'])
    .where('d.status', '=', 'dead')
    .orderBy('d.updated_at', 'desc')
    .limit(limit)
    .execute();
}

/** Puts dead deliveries back in the queue with a fresh attempt budget; `ids` omitted means all. */
export async function replayDeadLetters(db: Db, ids?: string[]): Promise<number> {
  let query = db
    .updateTable('outbox_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now(), lease_owner: null, updated_at: now() })
    .where('status', '=', 'dead');
  if (ids) {
    if (ids.length === 0) return 0;
    query = query.where('id', 'in', ids);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface SubscriberBacklog {
  subscriber: string;
  status: string;
  count: number;
  oldest: string | null;
}

/** Depth and oldest undelivered event per subscriber and status, for `stratus events stats` and metrics. */
export async function outboxBacklog(db: Db): Promise<SubscriberBacklog[]> {
  const rows = await db
    .selectFrom('outbox_deliveries')
    .select([
      'subscriber',
      'status',
      sql<number>`count(*)`.as('count'),
      sql<string | null>`min(created_at)`.as('oldest'),
    ])
    .where('status', '!=', 'done')
    .groupBy(['subscriber', 'status'])
    .orderBy('subscriber')
    .execute();
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}
