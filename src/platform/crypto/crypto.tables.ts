import type { Timestamp } from '../db/time.js';

/** Data keys for field encryption, each wrapped (AES-256-GCM) by the master key from the secrets. */
export interface CryptoKeysTable {
  id: string;
  wrapped_key: string;
  /** `active` encrypts new values; `retired` keys still decrypt until rotation has moved every value. */
  status: 'active' | 'retired';
  created_at: Timestamp;
}

export interface CryptoTables {
  crypto_keys: CryptoKeysTable;
}
