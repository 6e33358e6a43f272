import { sql } from 'kysely';
import { dialectOf } from '../../platform/db/database.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';

/**
 * Monthly partitions of `analytics_events` on PostgreSQL (SQLite has one table with a time index).
 * A partition is named for its month, `analytics_events_p202611`, and holds `[month start, next month)`
 * of the ISO text timestamp.
 */
const known = new WeakMap<object, Set<string>>();

function monthBounds(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number);
  const next = new Date(Date.UTC(y!, m!, 1)).toISOString().slice(0, 7);
  return [`${month}-01`, `${next}-01`];
}

export function partitionName(month: string): string {
  return `analytics_events_p${month.replace('-', '')}`;
}

/** Creates the partitions for the months of `instants` (ISO) that do not exist yet. */
export async function ensurePartitions(db: DbOrTrx, instants: Iterable<string>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  const executor = db.getExecutor();
  let seen = known.get(executor);
  if (!seen) {
    seen = new Set();
    known.set(executor, seen);
  }
  const months = new Set<string>();
  for (const at of instants) {
    const month = at.slice(0, 7);
    if (!seen.has(month)) months.add(month);
  }
  for (const month of months) {
    const [from, to] = monthBounds(month);
    try {
      await sql
        .raw(
          `create table if not exists ${partitionName(month)} partition of analytics_events for values from ('${from}') to ('${to}')`,
        )
        .execute(db);
    } catch {
      // Rows for this month already sit in the default partition, or another node raced us: either
      // way the rows have a home, and the default partition keeps serving them.
    }
    seen.add(month);
  }
}

/** Drops whole monthly partitions that end at or before `cutoff`; returns the months dropped. */
export async function dropPartitionsBefore(db: DbOrTrx, cutoff: string): Promise<string[]> {
  if (dialectOf(db) !== 'postgres') return [];
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    where p.relname = 'analytics_events' and p.relnamespace = c.relnamespace
      and c.relnamespace = (select oid from pg_namespace where nspname = current_schema())`.execute(db);
  const dropped: string[] = [];
  for (const { name } of rows) {
    const match = /^analytics_events_p(\d{4})(\d{2})$/.exec(name);
    if (!match) continue;
    const month = `${match[1]}-${match[2]}`;
    if (monthBounds(month)[1] <= cutoff) {
      await sql.raw(`drop table ${name}`).execute(db);
      known.get(db.getExecutor())?.delete(month);
      dropped.push(month);
    }
  }
  return dropped;
}
