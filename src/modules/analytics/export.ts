import type { Db } from '../../platform/db/database.js';

/**
 * A customer's behaviour for their GDPR export: the visitors (devices) linked to them, and the
 * sessions and raw events carrying their customer id. Found through the visitors (indexed by
 * customer), then by visitor, as erasure does, so no scan of the whole event table.
 */
export async function exportBehaviour(db: Db, customerId: string) {
  const visitors = await db
    .selectFrom('analytics_visitors')
    .select(['visitor_id', 'first_seen_at', 'last_event_at'])
    .where('customer_id', '=', customerId)
    .orderBy('first_seen_at')
    .execute();
  const ids = visitors.map((v) => v.visitor_id);
  if (ids.length === 0) return { visitors, sessions: [], events: [] };
  const sessions = await db
    .selectFrom('analytics_sessions')
    .selectAll()
    .where('visitor_id', 'in', ids)
    .where('customer_id', '=', customerId)
    .orderBy('started_at')
    .execute();
  const events = await db
    .selectFrom('analytics_events')
    .selectAll()
    .where('visitor_id', 'in', ids)
    .where('customer_id', '=', customerId)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return {
    visitors,
    sessions,
    events: events.map((e) => ({ ...e, items: e.items === null ? null : JSON.parse(e.items) })),
  };
}
