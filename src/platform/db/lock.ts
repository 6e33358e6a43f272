import type { SelectQueryBuilder } from 'kysely';
import { dialectOf } from './database.js';
import type { Trx } from './transaction.js';

/**
 * Locks the selected rows until the transaction ends. On PostgreSQL this is `FOR UPDATE`
 * (optionally `SKIP LOCKED`); SQLite needs nothing, because our SQLite transactions start with
 * BEGIN IMMEDIATE and so already hold the database's single write lock.
 *
 * Taking a `Trx` makes the compiler demand a transaction: a lock outside one would be a no-op.
 *
 * @example
 *   const row = await lockRows(trx, trx.selectFrom('stock').selectAll().where('id', '=', id)).executeTakeFirst();
 */
export function lockRows<DB, TB extends keyof DB, O>(
  trx: Trx,
  query: SelectQueryBuilder<DB, TB, O>,
  options: { skipLocked?: boolean } = {},
): SelectQueryBuilder<DB, TB, O> {
  if (dialectOf(trx) !== 'postgres') return query;
  const locked = query.forUpdate();
  return options.skipLocked ? locked.skipLocked() : locked;
}
