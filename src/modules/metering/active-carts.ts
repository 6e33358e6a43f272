import type { Db } from '../../platform/db/database.js';

let source: ((db: Db) => Promise<number>) | undefined;

/**
 * The cart module tells metering how to count active carts (say, carts touched in the last hour), and
 * `stratus_active_carts` reports it. Until one is registered the gauge has no sample.
 *
 * @example
 *   registerActiveCartsSource((db) => countCartsUpdatedSince(db, after(-3_600_000)));
 */
export function registerActiveCartsSource(count: (db: Db) => Promise<number>): void {
  source = count;
}

export function activeCartsSource(): ((db: Db) => Promise<number>) | undefined {
  return source;
}
