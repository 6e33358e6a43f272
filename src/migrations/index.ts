import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0400 from './0400_analytics.js';

/**
 * The ordered, portable migration set (SQLite and PostgreSQL alike: TEXT ids and timestamps,
 * INTEGER counters, no dialect-only defaults). Names sort in run order; never edit a shipped one.
 *
 * Number ranges by area, so areas built in parallel never collide:
 *   0001-0099 platform            0100-0199 catalog, pricing, regions, inventory
 *   0200-0299 identity, audit     0300-0399 carts, checkout, orders, payments, shipping
 *   0400-0499 analytics           0500-0599 operations (backups, metering)
 *   0600-     later areas (reviews, segments, marketing, …)
 */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0400_analytics': m0400,
};
