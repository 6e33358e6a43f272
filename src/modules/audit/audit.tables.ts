import type { Timestamp } from '../../platform/db/time.js';

export interface AuditLogTable {
  /** Position in the chain, 1, 2, 3…: a gap shows a deleted row. */
  seq: number;
  id: string;
  at: Timestamp;
  actor_kind: 'staff' | 'api_key' | 'customer' | 'system' | 'anonymous';
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** JSON `{ before, after }` with personal data redacted. */
  diff: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  outcome: 'success' | 'failure';
  prev_hash: string;
  hash: string;
}

/** One row holding the chain's last seq and hash, locked while appending (serialises writers). */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}
