import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Secrets } from '../../config/secrets.js';
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';
import { inTransaction } from '../db/transaction.js';
import { fieldCrypto, isEncrypted, normaliseEmail } from './field-crypto.js';

/** A table whose listed TEXT columns hold `fieldCrypto` values, keyed by a TEXT `id` column. */
export interface EncryptedColumns {
  table: string;
  columns: string[];
  /**
   * For columns that held plaintext before they were encrypted (carts, orders): rotation also
   * encrypts any legacy plaintext value it meets, and fills the email blind index from it.
   */
  legacyPlaintext?: { emailIndex?: { column: string; source: string; purpose: string } };
}

const registry: EncryptedColumns[] = [];

// Tables are registered by modules at run time, so rotation queries them untyped.
type Loose = Kysely<Record<string, Record<string, string | null>>>;

/** Modules declare their encrypted columns from index.ts so `stratus keys rotate` re-encrypts them. */
export function registerEncryptedColumns(entry: EncryptedColumns): void {
  if (!registry.some((e) => e.table === entry.table)) registry.push(entry);
}

export function encryptedColumns(): readonly EncryptedColumns[] {
  return registry;
}

export interface RotationReport {
  key_id: string;
  /** Rows actually re-encrypted per table (a compare-and-set that lost to a concurrent write is not counted). */
  tables: { table: string; rows: number }[];
  /** Sweeps over every table; the last one found nothing left on a retired key (or plaintext). */
  passes: number;
}

export class RotationIncompleteError extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Makes a fresh data key active, then re-encrypts every registered column in batches of `batchSize`
 * rows, one short transaction per batch, so the platform keeps serving: readers decrypt with either
 * key throughout. With `resume` no new key is made and the current active key is used (finishes an
 * interrupted rotation). Old keys stay in the ring, retired.
 *
 * Other nodes move their writes to the new key within their refresh interval (`STRATUS_KEY_REFRESH_MS`,
 * see keepKeyRingFresh); until then they may still write with the retired key, behind the sweep. So
 * the sweep repeats until a pass finds no value left on a retired key, and that clean pass must
 * start at least `settleMs` after the key became active (pass the nodes' refresh interval plus a
 * margin for writes already under way). After `maxPasses` passes with values still left it throws
 * RotationIncompleteError (finish later with `resume`).
 */
export async function rotateKeys(
  db: Db,
  secrets: Secrets,
  options: { batchSize?: number; resume?: boolean; settleMs?: number; maxPasses?: number } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const settleMs = options.settleMs ?? 0;
  const maxPasses = options.maxPasses ?? 20;
  const crypto = await fieldCrypto(db, secrets);
  if (!options.resume) {
    const id = `k${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    await inTransaction(db, async (trx) => {
      await trx
        .updateTable('crypto_keys')
        .set({ status: 'retired' })
        .where('status', '=', 'active')
        .execute();
      await trx
        .insertInto('crypto_keys')
        .values({ id, wrapped_key: crypto.wrap(randomBytes(32)), status: 'active', created_at: now() })
        .execute();
    });
  }
  await crypto.reload();
  const active = crypto.activeKeyId();
  const activated = await db
    .selectFrom('crypto_keys')
    .select('created_at')
    .where('id', '=', active)
    .executeTakeFirstOrThrow();
  const settledAt = Date.parse(activated.created_at) + settleMs;
  const moved = new Map(registry.map((entry) => [entry.table, 0]));
  for (let pass = 1; ; pass++) {
    const startedAt = Date.now();
    let stale = 0;
    for (const entry of registry) {
      const swept = await sweepTable(db, crypto, entry, active, batchSize);
      stale += swept.stale;
      moved.set(entry.table, moved.get(entry.table)! + swept.updated);
    }
    // Clean, and begun late enough that every node had moved its writes to the new key.
    if (stale === 0 && startedAt >= settledAt)
      return {
        key_id: active,
        tables: registry.map(({ table }) => ({ table, rows: moved.get(table)! })),
        passes: pass,
      };
    if (pass >= maxPasses)
      throw new RotationIncompleteError(
        `${stale} values still on a retired key after ${pass} passes; run \`stratus keys rotate --resume\``,
      );
    if (stale === 0) await sleep(Math.max(0, settledAt - Date.now()));
  }
}

/**
 * One pass over a table: every value not on the active key (or legacy plaintext) is re-encrypted.
 * `stale` counts the values found, `updated` the rows whose compare-and-set matched.
 */
async function sweepTable(
  db: Db,
  crypto: Awaited<ReturnType<typeof fieldCrypto>>,
  { table, columns, legacyPlaintext }: EncryptedColumns,
  active: string,
  batchSize: number,
): Promise<{ stale: number; updated: number }> {
  const emailIndex = legacyPlaintext?.emailIndex;
  const loose = db as unknown as Loose;
  let stale = 0;
  let updated = 0;
  let after = '';
  for (;;) {
    const rows: Record<string, string | null>[] = await loose
      .selectFrom(table)
      .select(['id', ...columns, ...(emailIndex ? [emailIndex.column] : [])])
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id!;
    await inTransaction(db, async (trx) => {
      for (const row of rows) {
        const changes: Record<string, string> = {};
        for (const column of columns) {
          const value = row[column];
          if (typeof value !== 'string') continue;
          if (!isEncrypted(value)) {
            // Legacy plaintext (written before the column was encrypted): encrypt it and index it.
            if (!legacyPlaintext) continue;
            changes[column] = crypto.encrypt(value);
            if (emailIndex && column === emailIndex.source)
              changes[emailIndex.column] = crypto.blindIndex(emailIndex.purpose, normaliseEmail(value));
          } else if (crypto.keyIdOf(value) !== active) {
            changes[column] = crypto.encrypt(await crypto.decrypt(value));
          }
        }
        if (Object.keys(changes).length === 0) continue;
        stale++;
        // Compare-and-set on the old values: a concurrent write since our read wins and is kept (if
        // it used a retired key, the next pass finds it).
        let update = (trx as unknown as Loose).updateTable(table).set(changes).where('id', '=', row.id!);
        for (const column of Object.keys(changes)) {
          const old = row[column] ?? null;
          update = old === null ? update.where(column, 'is', null) : update.where(column, '=', old);
        }
        const result = await update.executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) updated++;
      }
    });
  }
  return { stale, updated };
}

/**
 * How many stored values use each key id across registered tables (for `stratus keys status`);
 * legacy plaintext values count under `plaintext`.
 */
export async function keyUsage(db: Db, secrets: Secrets): Promise<Record<string, number>> {
  const crypto = await fieldCrypto(db, secrets);
  const loose = db as unknown as Loose;
  const usage: Record<string, number> = {};
  for (const { table, columns, legacyPlaintext } of registry) {
    let after = '';
    for (;;) {
      const rows: Record<string, string | null>[] = await loose
        .selectFrom(table)
        .select(['id', ...columns])
        .where('id', '>', after)
        .orderBy('id')
        .limit(1000)
        .execute();
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.id!;
      for (const row of rows)
        for (const column of columns) {
          const value = row[column];
          if (typeof value !== 'string') continue;
          // A column that mixes clear and encrypted values by design (the order timeline: only staff
          // notes are personal) has no plaintext to report.
          if (!isEncrypted(value) && !legacyPlaintext) continue;
          // Legacy plaintext shows as `plaintext` until a rotation encrypts it.
          const kid = isEncrypted(value) ? crypto.keyIdOf(value) : 'plaintext';
          usage[kid] = (usage[kid] ?? 0) + 1;
        }
    }
  }
  return usage;
}
