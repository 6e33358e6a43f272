import type { Timestamp } from '../../platform/db/time.js';

/** Consent records are appended, never updated: the latest row per purpose is the current state. */
export interface ConsentsTable {
  id: string;
  customer_id: string;
  purpose: 'marketing_email' | 'analytics_cookies';
  granted: number;
  source: string;
  text_version: string;
  created_at: Timestamp;
}

export interface PrivacyTables {
  consents: ConsentsTable;
}
