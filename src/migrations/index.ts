import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.js';

/**
 * The ordered, portable migration set (SQLite and PostgreSQL alike: TEXT ids and timestamps,
 * INTEGER counters, no dialect-only defaults). Names sort in run order; never edit a shipped one.
 */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
};
