import { sql, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import { type Db, dialectOf } from '../db/database.js';
import { newId } from '../db/ids.js';
import { prepared } from '../db/prepared.js';
import type { Tables } from '../db/tables.js';
import { now } from '../db/time.js';
import { inTransaction, type Trx } from '../db/transaction.js';
import { type SubscriberRegistry, subscribers } from './subscribers.js';

export interface DomainEvent {
  /** `<aggregate>.<past-tense verb>`: `order.placed`, `product.updated`. */
  topic: string;
  payload: Record<string, unknown>;
}

/**
 * Records `event` in the caller's transaction, with one delivery per subscriber of its topic. If the
 * transaction rolls back, the event never existed; once it commits, delivery is guaranteed.
 */
export async function emit(
  trx: Trx,
  event: DomainEvent,
  registry: SubscriberRegistry = subscribers,
): Promise<string> {
  const [id] = await emitAll(trx, [event], registry);
  return id!;
}

/**
 * Records several events of one use case with two statements in all (events, then deliveries), in
 * the order given. Hot paths such as checkout emit their events together through this.
 */
export async function emitAll(
  trx: Trx,
  events: DomainEvent[],
  registry: SubscriberRegistry = subscribers,
): Promise<string[]> {
  if (events.length === 0) return [];
  const at = now();
  const ids = events.map(() => newId('evt'));
  await insertEvents(trx, {
    ids,
    topics: events.map((event) => event.topic),
    payloads: events.map((event) => JSON.stringify(event.payload)),
    at,
  });
  const deliveries = { ids: [] as string[], event_ids: [] as string[], subscribers: [] as string[], at };
  events.forEach((event, i) => {
    for (const s of registry.forTopic(event.topic)) {
      deliveries.ids.push(newId('dlv'));
      deliveries.event_ids.push(ids[i]!);
      deliveries.subscribers.push(s.name);
    }
  });
  if (deliveries.ids.length > 0) await insertDeliveries(trx, deliveries);
  return ids;
}

// Every write of the store records events: both inserts are compiled once per row count (prepared).
const insertEvents = prepared((db, a: { ids: string[]; topics: string[]; payloads: string[]; at: string }) =>
  db
    .insertInto('outbox_events')
    .values(a.ids.map((id, i) => ({ id, topic: a.topics[i]!, payload: a.payloads[i]!, created_at: a.at }))),
);

const insertDeliveries = prepared(
  (db, a: { ids: string[]; event_ids: string[]; subscribers: string[]; at: string }) =>
    db.insertInto('outbox_deliveries').values(
      a.ids.map((id, i) => ({
        id,
        event_id: a.event_ids[i]!,
        subscriber: a.subscribers[i]!,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: a.at,
        lease_owner: null,
        last_error: null,
        created_at: a.at,
        updated_at: a.at,
      })),
    ),
);

/**
 * Runs `update` (a guarded UPDATE: it may change no row) and records `event` only if it changed one,
 * atomically; returns whether it did. On PostgreSQL this is ONE statement (data-modifying CTEs:
 * update, then the event, then its deliveries, each selecting from the step before), so a hot
 * single-row edit such as add-to-cart costs one round trip instead of four (BEGIN, UPDATE, INSERT,
 * COMMIT). SQLite has no data-modifying CTEs; there it is a transaction, which costs no round trip.
 *
 * @example
 *   const landed = await updateThenEmit(db, db.updateTable('carts').set(set).where('version', '=', v), event);
 */
export async function updateThenEmit<TB extends keyof Tables>(
  db: Db,
  update: UpdateQueryBuilder<Tables, TB, TB, UpdateResult>,
  event: DomainEvent,
  registry: SubscriberRegistry = subscribers,
): Promise<boolean> {
  if (dialectOf(db) !== 'postgres') {
    return inTransaction(db, async (trx) => {
      const result = await trx.executeQuery(update.compile());
      if (Number(result.numAffectedRows ?? 0) === 0) return false;
      await emitAll(trx, [event], registry);
      return true;
    });
  }
  const at = now();
  const eventId = newId('evt');
  const payload = JSON.stringify(event.payload);
  const targets = registry.forTopic(event.topic);
  const recordEvent = sql`insert into outbox_events (id, topic, payload, created_at)
    select ${eventId}, ${event.topic}, ${payload}, ${at} from updated`;
  const statement =
    targets.length === 0
      ? sql`with updated as (${update.returning(sql<number>`1`.as('one'))}) ${recordEvent}`
      : sql`with updated as (${update.returning(sql<number>`1`.as('one'))}),
          recorded as (${recordEvent} returning id)
        insert into outbox_deliveries
          (id, event_id, subscriber, status, attempts, next_attempt_at, lease_owner, last_error, created_at, updated_at)
        select d.id, recorded.id, d.subscriber, 'pending', 0, ${at}, null, null, ${at}, ${at}
          from recorded cross join (values ${sql.join(
            targets.map((s) => sql`(${newId('dlv')}, ${s.name})`),
          )}) as d (id, subscriber)`;
  const result = await statement.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}
