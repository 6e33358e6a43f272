import type { Timestamp } from '../db/time.js';

/** Named leases: one holder at a time (scheduler leadership, singleton tasks). */
export interface LeaseTable {
  name: string;
  owner: string;
  expires_at: Timestamp;
}

export interface ScheduledJobTable {
  name: string;
  schedule: string;
  next_run_at: Timestamp;
  last_started_at: Timestamp | null;
  last_finished_at: Timestamp | null;
  last_status: 'ok' | 'failed' | null;
  last_error: string | null;
  runs: number;
  failures: number;
}

export interface JobsTables {
  leases: LeaseTable;
  scheduled_jobs: ScheduledJobTable;
}
