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
  const id = newId('evt');
  const at = now();
  await trx
    .insertInto('outbox_events')
    .values({ id, topic: event.topic, payload: JSON.stringify(event.payload), created_at: at })
    .execute();
  const targets = registry.forTopic(event.topic);
  if (targets.length > 0) {
    await trx
      .insertInto('outbox_deliveries')
      .values(
        targets.map((s) => ({
          id: newId('dlv'),
          event_id: id,
          subscriber: s.name,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: at,
          lease_owner: null,
          last_error: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
  }
  return id;
}
