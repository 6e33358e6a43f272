import type { Timestamp } from '../../platform/db/time.js';

/**
 * One row per UTC day, meter and dimension (a currency code for money meters, '' otherwise). Additive
 * meters (requests, emails, …) are incremented; level meters (database bytes, events stored) are set.
 */
export interface UsageDailyTable {
  day: string;
  meter: string;
  dimension: string;
  value: number;
  updated_at: Timestamp;
}

/** Events a metering subscriber has already counted, so at-least-once delivery counts once. */
export interface UsageEventReceiptTable {
  event_id: string;
  subscriber: string;
  created_at: Timestamp;
}

export interface MeteringTables {
  usage_daily: UsageDailyTable;
  usage_event_receipts: UsageEventReceiptTable;
}
