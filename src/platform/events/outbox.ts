import { sql, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import { type Db, dialectOf } from '../db/database.js';
import { newId } from '../db/ids.js';
import { type PreparedArgs, prepared } from '../db/prepared.js';
import type { Tables } from '../db/tables.js';
import { now } from '../db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../db/transaction.js';
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

interface EventArgs {
  event_id: string;
  event_topic: string;
  event_payload: string;
  event_at: string;
  delivery_ids: string[];
  delivery_subscribers: string[];
}

/**
 * updateThenEmit for a hot edit whose UPDATE is built and compiled once per shape (see prepared):
 * `build` takes every value from `args`, and `shape` names what else varies (the columns set). On
 * PostgreSQL the whole one-statement form (the UPDATE, the event, its deliveries) is prepared.
 *
 * @example
 *   const bump = preparedUpdateThenEmit((db, a: { id: string; v: number }) =>
 *     db.updateTable('carts').set({ version: a.v }).where('id', '=', a.id));
 *   const landed = await bump(db, { id, v }, '', event);
 */
export function preparedUpdateThenEmit<A extends PreparedArgs, TB extends keyof Tables>(
  build: (db: DbOrTrx, args: A, shape: string) => UpdateQueryBuilder<Tables, TB, TB, UpdateResult>,
): (db: Db, args: A, shape: string, event: DomainEvent, registry?: SubscriberRegistry) => Promise<boolean> {
  // SQLite: the UPDATE returns a row when it landed (RETURNING), in a transaction with the event.
  const guarded = prepared((db, a: A, shape) => build(db, a, shape).returning(sql<number>`1`.as('one')));
  const combined = prepared((db, a: A & EventArgs, shape) => {
    const update = build(db, a, shape).returning(sql<number>`1`.as('one'));
    const recordEvent = sql`insert into outbox_events (id, topic, payload, created_at)
      select ${a.event_id}, ${a.event_topic}, ${a.event_payload}, ${a.event_at} from updated`;
    const statement =
      a.delivery_ids.length === 0
        ? sql`with updated as (${update}) ${recordEvent} returning 1 as one`
        : sql`with updated as (${update}),
            recorded as (${recordEvent} returning id)
          insert into outbox_deliveries
            (id, event_id, subscriber, status, attempts, next_attempt_at, lease_owner, last_error, created_at, updated_at)
          select d.id, recorded.id, d.subscriber, 'pending', 0, ${a.event_at}, null, null, ${a.event_at}, ${a.event_at}
            from recorded cross join (values ${sql.join(
              a.delivery_ids.map((id, i) => sql`(${id}, ${a.delivery_subscribers[i]})`),
            )}) as d (id, subscriber)
          returning 1 as one`;
    return { compile: () => statement.compile(db) };
  });
  return async (db, args, shape, event, registry = subscribers) => {
    if (dialectOf(db) !== 'postgres') {
      return inTransaction(db, async (trx) => {
        if ((await guarded(trx, args, shape)).length === 0) return false;
        await emitAll(trx, [event], registry);
        return true;
      });
    }
    const targets = registry.forTopic(event.topic);
    const at = now();
    // The last INSERT returns a row only when the UPDATE landed (it selects from it).
    const rows = await combined(
      db,
      {
        ...args,
        event_id: newId('evt'),
        event_topic: event.topic,
        event_payload: JSON.stringify(event.payload),
        event_at: at,
        delivery_ids: targets.map(() => newId('dlv')),
        delivery_subscribers: targets.map((t) => t.name),
      },
      shape,
    );
    return rows.length > 0;
  };
}
