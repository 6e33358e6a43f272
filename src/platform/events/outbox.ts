import { newId } from '../db/ids.js';
import { now } from '../db/time.js';
import type { Trx } from '../db/transaction.js';
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
  const rows = events.map((event) => ({
    id: newId('evt'),
    topic: event.topic,
    payload: JSON.stringify(event.payload),
    created_at: at,
  }));
  await trx.insertInto('outbox_events').values(rows).execute();
  const deliveries = rows.flatMap((row) =>
    registry.forTopic(row.topic).map((s) => ({
      id: newId('dlv'),
      event_id: row.id,
      subscriber: s.name,
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: at,
      lease_owner: null,
      last_error: null,
      created_at: at,
      updated_at: at,
    })),
  );
  if (deliveries.length > 0) await trx.insertInto('outbox_deliveries').values(deliveries).execute();
  return rows.map((row) => row.id);
}
