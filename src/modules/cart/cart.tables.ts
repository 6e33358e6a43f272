import type { Timestamp } from '../../platform/db/time.js';

/**
 * A cart is one document: its line items (with their price snapshots) are a JSON array in the row, so
 * reading a cart is one statement and changing it is one guarded UPDATE (optimistic `version`).
 */
export interface CartTable {
  id: string;
  region_id: string;
  currency_code: string;
  customer_id: string | null;
  /** fieldCrypto value, like the addresses (legacy rows: plaintext until `stratus keys rotate`). */
  email: string | null;
  /** Blind index of the normalised email (HMAC): erasure finds guest carts by it. */
  email_index: string | null;
  /** fieldCrypto value of the JSON Address. */
  shipping_address: string | null;
  billing_address: string | null;
  shipping_option_id: string | null;
  /** JSON string[] of upper-case codes. */
  discount_codes: string;
  /** JSON CartItem[]. */
  items: string;
  /** open → completing (locked by a checkout) → completed; back to open when a checkout fails. */
  status: 'open' | 'completing' | 'completed';
  version: number;
  /** While completing: past this, the recovery job resolves the checkout. */
  locked_until: Timestamp | null;
  order_id: string | null;
  /** Analytics ids the storefront sent at creation; copied onto order events. */
  visitor_id: string | null;
  session_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface CounterTable {
  name: string;
  value: number;
}

export interface CartTables {
  carts: CartTable;
  counters: CounterTable;
}
