import type { Timestamp } from '../db/time.js';

export interface OutboxEventTable {
  id: string;
  topic: string;
  /** JSON text. */
  payload: string;
  created_at: Timestamp;
}

export type DeliveryStatus = 'pending' | 'processing' | 'done' | 'dead';

/** One row per (event, subscriber): each subscriber progresses, retries and dead-letters on its own. */
export interface OutboxDeliveryTable {
  id: string;
  event_id: string;
  subscriber: string;
  status: DeliveryStatus;
  attempts: number;
  /** When pending: earliest next try. When processing: the lease expiry; past it, the delivery is claimable again. */
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EventsTables {
  outbox_events: OutboxEventTable;
  outbox_deliveries: OutboxDeliveryTable;
}
