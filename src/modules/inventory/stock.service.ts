import { sql } from 'kysely';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { prepared } from '../../platform/db/prepared.js';
import { now } from '../../platform/db/time.js';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { InventoryErrors } from './inventory.errors.js';
import type { InventoryItemTable, InventoryLevelTable } from './inventory.tables.js';
import { applyMovement, ensureLevel, thresholds } from './ledger.js';
import { getStockLocation } from './locations.service.js';

export interface InventoryItem {
  variant_id: string;
  tracked: boolean;
  allow_backorder: boolean;
  allow_preorder: boolean;
  low_stock_threshold: number | null;
}

export interface Availability {
  /** Sum of on hand − reserved over the active locations serving the region. */
  available: number;
  backorder: boolean;
  preorder: boolean;
  tracked: boolean;
}

export interface Level extends InventoryLevelTable {
  available: number;
}

const DEFAULT_ITEM = { tracked: 1, allow_backorder: 0, allow_preorder: 0, low_stock_threshold: null };

export function toItem(variantId: string, row: Partial<InventoryItemTable> | undefined): InventoryItem {
  const r = { ...DEFAULT_ITEM, ...row };
  return {
    variant_id: variantId,
    tracked: r.tracked === 1,
    allow_backorder: r.allow_backorder === 1,
    allow_preorder: r.allow_preorder === 1,
    low_stock_threshold: r.low_stock_threshold ?? null,
  };
}

export function assertQuantity(value: number, field: string, options: { min: number }): number {
  if (!Number.isSafeInteger(value) || value < options.min || Math.abs(value) > 1_000_000_000)
    throw new AppError(
      InventoryErrors.INVALID_QUANTITY,
      `${field} must be a whole number >= ${options.min}`,
      [{ field, message: `must be an integer >= ${options.min}` }],
    );
  return value;
}

// Read by every reservation: compiled once per id count (prepared).
const itemRows = prepared((db, a: { ids: string[] }) =>
  db.selectFrom('inventory_items').selectAll().where('variant_id', 'in', a.ids),
);

export async function getInventoryItems(
  db: DbOrTrx,
  variantIds: readonly string[],
): Promise<Map<string, InventoryItem>> {
  const ids = [...new Set(variantIds)];
  if (ids.length === 0) return new Map();
  const rows = await itemRows(db, { ids });
  const byId = new Map(rows.map((r) => [r.variant_id, r]));
  return new Map(ids.map((id) => [id, toItem(id, byId.get(id))]));
}

/** Sets a variant's policy: tracked, backorder, preorder, low-stock threshold. */
export async function setInventoryItem(
  trx: Trx,
  variantId: string,
  patch: {
    tracked?: boolean;
    allow_backorder?: boolean;
    allow_preorder?: boolean;
    low_stock_threshold?: number | null;
  },
): Promise<InventoryItem> {
  const current = (await getInventoryItems(trx, [variantId])).get(variantId)!;
  const next = { ...current, ...patch };
  if (next.low_stock_threshold !== null)
    assertQuantity(next.low_stock_threshold, 'low_stock_threshold', { min: 0 });
  const row = {
    variant_id: variantId,
    tracked: next.tracked ? 1 : 0,
    allow_backorder: next.allow_backorder ? 1 : 0,
    allow_preorder: next.allow_preorder ? 1 : 0,
    low_stock_threshold: next.low_stock_threshold,
    updated_at: now(),
  };
  await trx
    .insertInto('inventory_items')
    .values(row)
    .onConflict((oc) =>
      oc.column('variant_id').doUpdateSet({
        tracked: row.tracked,
        allow_backorder: row.allow_backorder,
        allow_preorder: row.allow_preorder,
        low_stock_threshold: row.low_stock_threshold,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  await emit(trx, { topic: 'inventory.item_updated', payload: { variant_id: variantId } });
  return toItem(variantId, row);
}

export interface AdjustInput {
  variant_id: string;
  location_id: string;
  /** Change to on hand; negative removes stock (damage, count correction). */
  delta: number;
  reason: string;
  actor: string;
  reference_type?: string;
  reference_id?: string;
}

/**
 * Changes on hand at one location, with its ledger row. A decrease may not take on hand below what is
 * reserved there (that would sell the same unit twice).
 * @throws AppError INSUFFICIENT_STOCK (409), INVALID_QUANTITY (400), STOCK_LOCATION_NOT_FOUND (404)
 */
export async function adjustStock(
  trx: Trx,
  input: AdjustInput,
  kind: 'adjust' | 'restock' = 'adjust',
): Promise<Level> {
  assertQuantity(input.delta, 'delta', { min: -1_000_000_000 });
  await getStockLocation(trx, input.location_id);
  await ensureLevel(trx, input.variant_id, input.location_id);
  const threshold = (await thresholds(trx, [input.variant_id])).get(input.variant_id);
  const after = await applyMovement(
    trx,
    { ...input, kind, on_hand_delta: input.delta, reserved_delta: 0 },
    { keepAvailable: input.delta < 0, lowStockThreshold: threshold ?? null },
  );
  if (!after)
    throw new AppError(
      InventoryErrors.INSUFFICIENT_STOCK,
      `Removing ${-input.delta} would take on hand below the reserved quantity`,
      [{ field: 'delta', message: 'exceeds the available quantity at this location' }],
    );
  await emit(trx, {
    topic: 'inventory.adjusted',
    payload: {
      variant_id: input.variant_id,
      location_id: input.location_id,
      delta: input.delta,
      on_hand: after.on_hand,
      kind,
    },
  });
  return {
    variant_id: input.variant_id,
    location_id: input.location_id,
    ...after,
    available: after.on_hand - after.reserved,
    updated_at: now(),
  };
}

/** Sets on hand to an absolute count (stocktake, seed, import); records the difference in the ledger. */
export async function setStockLevel(
  trx: Trx,
  input: { variant_id: string; location_id: string; on_hand: number; reason: string; actor: string },
): Promise<Level> {
  assertQuantity(input.on_hand, 'on_hand', { min: 0 });
  await getStockLocation(trx, input.location_id);
  await ensureLevel(trx, input.variant_id, input.location_id);
  const current = await lockRows(
    trx,
    trx
      .selectFrom('inventory_levels')
      .selectAll()
      .where('variant_id', '=', input.variant_id)
      .where('location_id', '=', input.location_id),
  ).executeTakeFirstOrThrow();
  const delta = input.on_hand - current.on_hand;
  if (delta === 0) return { ...current, available: current.on_hand - current.reserved };
  return adjustStock(trx, { ...input, delta });
}

/**
 * Availability per variant in a region: on hand − reserved summed over the active locations that serve
 * it, with the variant's backorder/preorder/tracked flags. One SQL statement. Variants with no stock row
 * anywhere answer available 0 (tracked, unless their policy says otherwise).
 */
/** Sellable stock per variant over the region's active locations, with the item flags: hot path. */
const availabilityRows = prepared((db, a: { ids: string[]; region_id: string }) => {
  const stock = db
    .selectFrom('inventory_levels as l')
    .innerJoin('stock_location_regions as r', 'r.location_id', 'l.location_id')
    .innerJoin('stock_locations as s', 's.id', 'l.location_id')
    .select([
      'l.variant_id',
      sql<number>`sum(l.on_hand - l.reserved)`.as('available'),
      sql<number | null>`null`.as('tracked'),
      sql<number | null>`null`.as('allow_backorder'),
      sql<number | null>`null`.as('allow_preorder'),
    ])
    .where('r.region_id', '=', a.region_id)
    .where('s.active', '=', 1)
    .where('l.variant_id', 'in', a.ids)
    .groupBy('l.variant_id');
  const items = db
    .selectFrom('inventory_items')
    .select(['variant_id', sql<number>`0`.as('available'), 'tracked', 'allow_backorder', 'allow_preorder'])
    .where('variant_id', 'in', a.ids);
  return stock.unionAll(items as never);
});

export async function availability(
  db: DbOrTrx,
  input: { variant_ids: readonly string[]; region_id: string },
): Promise<Map<string, Availability>> {
  const ids = [...new Set(input.variant_ids)];
  const result = new Map<string, Availability>();
  if (ids.length === 0) return result;
  const rows = await availabilityRows(db, { ids, region_id: input.region_id });
  for (const id of ids) result.set(id, { available: 0, backorder: false, preorder: false, tracked: true });
  for (const row of rows) {
    const entry = result.get(row.variant_id)!;
    if (row.tracked === null) entry.available = Number(row.available);
    else {
      entry.tracked = row.tracked === 1;
      entry.backorder = row.allow_backorder === 1;
      entry.preorder = row.allow_preorder === 1;
    }
  }
  return result;
}

export async function listLevels(
  db: DbOrTrx,
  filter: { variant_id?: string; location_id?: string; limit: number; after?: [string, string] },
): Promise<Level[]> {
  let query = db
    .selectFrom('inventory_levels')
    .selectAll()
    .select(sql<number>`on_hand - reserved`.as('available'))
    .orderBy('variant_id')
    .orderBy('location_id')
    .limit(filter.limit);
  if (filter.variant_id) query = query.where('variant_id', '=', filter.variant_id);
  if (filter.location_id) query = query.where('location_id', '=', filter.location_id);
  if (filter.after) {
    const [v, l] = filter.after;
    query = query.where((eb) =>
      eb.or([eb('variant_id', '>', v), eb.and([eb('variant_id', '=', v), eb('location_id', '>', l)])]),
    );
  }
  return query.execute();
}

/** Levels at or below their variant's low-stock threshold. */
export async function listLowStock(
  db: DbOrTrx,
  filter: { location_id?: string; limit: number; after?: [string, string] },
): Promise<Array<Level & { low_stock_threshold: number }>> {
  let query = db
    .selectFrom('inventory_levels as l')
    .innerJoin('inventory_items as i', 'i.variant_id', 'l.variant_id')
    .selectAll('l')
    .select([
      sql<number>`l.on_hand - l.reserved`.as('available'),
      sql<number>`i.low_stock_threshold`.as('low_stock_threshold'),
    ])
    .where('i.low_stock_threshold', 'is not', null)
    .where('i.tracked', '=', 1)
    .where(sql<boolean>`l.on_hand - l.reserved <= i.low_stock_threshold`)
    .orderBy('l.variant_id')
    .orderBy('l.location_id')
    .limit(filter.limit);
  if (filter.location_id) query = query.where('l.location_id', '=', filter.location_id);
  if (filter.after) {
    const [v, loc] = filter.after;
    query = query.where((eb) =>
      eb.or([
        eb('l.variant_id', '>', v),
        eb.and([eb('l.variant_id', '=', v), eb('l.location_id', '>', loc)]),
      ]),
    );
  }
  return query.execute();
}

export async function listMovements(
  db: DbOrTrx,
  filter: {
    variant_id?: string;
    location_id?: string;
    reference_type?: string;
    reference_id?: string;
    limit: number;
    before?: string;
  },
) {
  let query = db.selectFrom('inventory_movements').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.variant_id) query = query.where('variant_id', '=', filter.variant_id);
  if (filter.location_id) query = query.where('location_id', '=', filter.location_id);
  if (filter.reference_type) query = query.where('reference_type', '=', filter.reference_type);
  if (filter.reference_id) query = query.where('reference_id', '=', filter.reference_id);
  if (filter.before) query = query.where('id', '<', filter.before);
  return query.execute();
}

/**
 * Sets many absolute on-hand counts at once (demo seed, imports): one lookup of existing levels, batched
 * inserts of new levels with their ledger rows, the guarded path for levels that already exist, and one
 * `inventory.levels_set` event. Validates everything before writing.
 * @throws AppError INVALID_QUANTITY, STOCK_LOCATION_NOT_FOUND, INSUFFICIENT_STOCK (below reserved)
 */
export async function setStockLevels(
  trx: Trx,
  levels: ReadonlyArray<{ variant_id: string; location_id: string; on_hand: number }>,
  meta: { reason: string; actor: string },
): Promise<number> {
  if (levels.length === 0) return 0;
  const wanted = new Map<string, { variant_id: string; location_id: string; on_hand: number }>();
  levels.forEach((l, i) => {
    assertQuantity(l.on_hand, `levels[${i}].on_hand`, { min: 0 });
    wanted.set(`${l.variant_id}\u0000${l.location_id}`, l);
  });
  const locationIds = [...new Set(levels.map((l) => l.location_id))];
  const found = await trx.selectFrom('stock_locations').select('id').where('id', 'in', locationIds).execute();
  const missing = locationIds.find((id) => !found.some((f) => f.id === id));
  if (missing)
    throw new AppError(InventoryErrors.STOCK_LOCATION_NOT_FOUND, `Stock location ${missing} not found`);
  const variantIds = [...new Set(levels.map((l) => l.variant_id))];
  const existing = new Set<string>();
  for (let i = 0; i < variantIds.length; i += 500) {
    const rows = await lockRows(
      trx,
      trx
        .selectFrom('inventory_levels')
        .select(['variant_id', 'location_id'])
        .where('variant_id', 'in', variantIds.slice(i, i + 500))
        .where('location_id', 'in', locationIds)
        .orderBy('variant_id')
        .orderBy('location_id'),
    ).execute();
    for (const r of rows) existing.add(`${r.variant_id}\u0000${r.location_id}`);
  }
  const at = now();
  const fresh = [...wanted].filter(([key]) => !existing.has(key)).map(([, l]) => l);
  for (let i = 0; i < fresh.length; i += 1000) {
    const batch = fresh.slice(i, i + 1000);
    await trx
      .insertInto('inventory_levels')
      .values(batch.map((l) => ({ ...l, reserved: 0, updated_at: at })))
      .execute();
    const moved = batch.filter((l) => l.on_hand !== 0);
    if (moved.length > 0)
      await trx
        .insertInto('inventory_movements')
        .values(
          moved.map((l) => ({
            id: newId('mov'),
            variant_id: l.variant_id,
            location_id: l.location_id,
            kind: 'adjust' as const,
            on_hand_delta: l.on_hand,
            reserved_delta: 0,
            reason: meta.reason,
            actor: meta.actor,
            reference_type: null,
            reference_id: null,
            created_at: at,
          })),
        )
        .execute();
  }
  for (const [key, l] of wanted) if (existing.has(key)) await setStockLevel(trx, { ...l, ...meta });
  await emit(trx, {
    topic: 'inventory.levels_set',
    payload: { variant_ids: variantIds, count: wanted.size },
  });
  return wanted.size;
}
