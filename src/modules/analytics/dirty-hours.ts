import { now } from '../../platform/db/time.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';
import { hourStart, iso } from './time-zone.js';

/**
 * Records that raw data behind these UTC hours changed, so the rollup job recomputes them and the
 * dashboards read them raw until it has. Upserting `marked_at` lets the job clear only marks older
 * than its own read.
 */
export async function markDirty(db: DbOrTrx, instants: Iterable<string>): Promise<void> {
  const hours = new Set<string>();
  for (const at of instants) hours.add(iso(hourStart(Date.parse(at))));
  if (hours.size === 0) return;
  const marked = now();
  await db
    .insertInto('analytics_dirty_hours')
    .values([...hours].sort().map((bucket) => ({ bucket, marked_at: marked })))
    .onConflict((oc) => oc.column('bucket').doUpdateSet({ marked_at: marked }))
    .execute();
}
