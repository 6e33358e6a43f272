import { sql } from 'kysely';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import type { Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { MovementKind } from './inventory.tables.js';

export interface Movement {
  variant_id: string;
  location_id: string;
  kind: MovementKind;
  on_hand_delta: number;
  reserved_delta: number;
  reason: string;
  actor: string;
  reference_type?: string | null;
  reference_id?: string | null;
}

export interface LevelAfter {
  on_hand: number;
  reserved: number;
}

/**
 * The only writer of inventory_levels: one guarded UPDATE of the counters plus its ledger row, so the
 * ledger always sums to the counters. The WHERE clause is the atomic guard: the row changes only if,
 * after the change, on hand and reserved stay >= 0 and, when `keepAvailable`, on hand − reserved stays
 * >= 0. PostgreSQL re-evaluates it on the newest row version after waiting for a concurrent writer
 * (READ COMMITTED), and SQLite runs one writer at a time, so no interleaving can oversell.
 * Returns the new counters, or undefined when the guard refused (nothing written).
 */
export async function applyMovement(
  trx: Trx,
  movement: Movement,
  options: { keepAvailable: boolean; lowStockThreshold?: number | null },
): Promise<LevelAfter | undefined> {
  const { on_hand_delta: dOn, reserved_delta: dRes } = movement;
  const at = now();
  let update = trx
    .updateTable('inventory_levels')
    .set({
      on_hand: sql`on_hand + ${dOn}`,
      reserved: sql`reserved + ${dRes}`,
      updated_at: at,
    })
    .where('variant_id', '=', movement.variant_id)
    .where('location_id', '=', movement.location_id)
    .where(sql<boolean>`on_hand + ${dOn} >= 0`)
    .where(sql<boolean>`reserved + ${dRes} >= 0`);
  if (options.keepAvailable)
    update = update.where(sql<boolean>`on_hand + ${dOn} - (reserved + ${dRes}) >= 0`);
  const after = await update.returning(['on_hand', 'reserved']).executeTakeFirst();
  if (!after) return undefined;
  await trx
    .insertInto('inventory_movements')
    .values({
      id: newId('mov'),
      variant_id: movement.variant_id,
      location_id: movement.location_id,
      kind: movement.kind,
      on_hand_delta: dOn,
      reserved_delta: dRes,
      reason: movement.reason,
      actor: movement.actor,
      reference_type: movement.reference_type ?? null,
      reference_id: movement.reference_id ?? null,
      created_at: at,
    })
    .execute();
  const threshold = options.lowStockThreshold;
  if (threshold !== null && threshold !== undefined) {
    const availableAfter = after.on_hand - after.reserved;
    const availableBefore = availableAfter - dOn + dRes;
    const payload = {
      variant_id: movement.variant_id,
      location_id: movement.location_id,
      available: availableAfter,
      threshold,
    };
    if (availableBefore > threshold && availableAfter <= threshold)
      await emit(trx, { topic: 'inventory.low_stock', payload });
    else if (availableBefore <= threshold && availableAfter > threshold)
      await emit(trx, { topic: 'inventory.low_stock_cleared', payload });
  }
  return after;
}

/** Creates the (variant, location) level at zero if it does not exist yet; safe under concurrency. */
export async function ensureLevel(trx: Trx, variantId: string, locationId: string): Promise<void> {
  await trx
    .insertInto('inventory_levels')
    .values({ variant_id: variantId, location_id: locationId, on_hand: 0, reserved: 0, updated_at: now() })
    .onConflict((oc) => oc.columns(['variant_id', 'location_id']).doNothing())
    .execute();
}

/** Low-stock thresholds of the given variants (absent: none). One statement. */
export async function thresholds(
  trx: Trx,
  variantIds: readonly string[],
): Promise<Map<string, number | null>> {
  if (variantIds.length === 0) return new Map();
  const rows = await trx
    .selectFrom('inventory_items')
    .select(['variant_id', 'low_stock_threshold'])
    .where('variant_id', 'in', [...variantIds])
    .execute();
  return new Map(rows.map((r) => [r.variant_id, r.low_stock_threshold]));
}
