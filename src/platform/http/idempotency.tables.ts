import type { Timestamp } from '../db/time.js';

/** One row per (scope, Idempotency-Key): the request's fingerprint and, once done, its response. */
export interface IdempotencyKeyTable {
  /** `scope key` (unique): lets key rotation sweep the table like any other. */
  id: string;
  /** Who may replay the key: the principal id, or `public` for anonymous store calls. */
  scope: string;
  key: string;
  /** sha256 of method, URL and canonical JSON body. */
  request_hash: string;
  status: 'in_progress' | 'completed';
  response_status: number | null;
  /**
   * The cart, order or other resource the response is about (the path's `id`, else the created
   * resource's): erasure deletes the stored responses of the customer's carts and orders by it.
   */
  resource_id: string | null;
  /** The serialized response payload (fieldCrypto, it may hold personal data), replayed byte for byte. */
  response_body: string | null;
  /** While in progress: past this, a crashed owner's claim may be taken over. */
  locked_until: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeyTable;
}
