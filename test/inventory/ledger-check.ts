import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';

/** Every level whose counters differ from its ledger sums (should always be empty). */
export async function ledgerMismatches(db: Db) {
  const levels = await db.selectFrom('inventory_levels').selectAll().execute();
  const sums = await db
    .selectFrom('inventory_movements')
    .select([
      'variant_id',
      'location_id',
      sql<number>`sum(on_hand_delta)`.as('on_hand'),
      sql<number>`sum(reserved_delta)`.as('reserved'),
    ])
    .groupBy(['variant_id', 'location_id'])
    .execute();
  const key = (r: { variant_id: string; location_id: string }) => `${r.variant_id}/${r.location_id}`;
  const bySum = new Map(sums.map((s) => [key(s), s]));
  return levels
    .filter((l) => {
      const s = bySum.get(key(l));
      return Number(s?.on_hand ?? 0) !== l.on_hand || Number(s?.reserved ?? 0) !== l.reserved;
    })
    .map((l) => ({ level: l, ledger: bySum.get(key(l)) }));
}
