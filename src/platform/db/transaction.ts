import type { Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Tables } from './tables.js';

export type Trx = Transaction<Tables>;
/** Either a Kysely instance or a transaction: what a repository read takes. */
export type DbOrTrx = Db | Trx;

// PostgreSQL serialization failure and deadlock: the whole transaction can safely run again.
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/**
 * Runs `work` in one transaction, committing when it resolves and rolling back when it throws.
 * Retries the whole unit on PostgreSQL serialization failures and deadlocks, so `work` must not have
 * side effects outside the database (enqueue them with `emit` instead).
 */
export async function inTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
