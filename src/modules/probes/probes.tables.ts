import type { Timestamp } from '../../platform/db/time.js';

/** A synthetic write: proves the write path and outbox delivery end to end (drills, black-box checks). */
export interface ProbeTable {
  id: string;
  idempotency_key: string;
  /** The node that accepted it (`host:pid`). */
  node: string;
  created_at: Timestamp;
  /** Set by the subscriber when the `probe.created` event is delivered. */
  delivered_at: Timestamp | null;
  /** How many times it was delivered (at least once; more after a worker died mid-delivery). */
  deliveries: number;
}

export interface ProbesTables {
  probes: ProbeTable;
}
