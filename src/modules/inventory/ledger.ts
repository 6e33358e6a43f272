import { sql } from 'kysely';
import { dialectOf } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { prepared } from '../../platform/db/prepared.js';
import { now } from '../../platform/db/time.js';
import type { Trx } from '../../platform/db/transaction.js';
import { type DomainEvent, emitAll } from '../../platform/events/outbox.js';
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
 * The only writer of inventory_levels, for one movement: see applyMovements. Emits the low-stock
 * events itself. Returns the new counters, or undefined when the guard refused (nothing written).
 */
export async function applyMovement(
  trx: Trx,
  movement: Movement,
  options: { keepAvailable: boolean; lowStockThreshold?: number | null },
): Promise<LevelAfter | undefined> {
  const thresholdsOf = new Map([[movement.variant_id, options.lowStockThreshold ?? null]]);
  const result = await applyMovements(trx, [movement], {
    keepAvailable: options.keepAvailable,
    thresholds: thresholdsOf,
  });
  if (!result) return undefined;
  await emitAll(trx, result.events);
  return result.levels[0];
}

export interface MovementsResult {
  /** The new counters of every level touched, one per (variant, location). */
  levels: Array<LevelAfter & { variant_id: string; location_id: string }>;
  /** inventory.low_stock / low_stock_cleared events for levels that crossed their threshold; the caller emits them (with its own events, in one emitAll). */
  events: DomainEvent[];
}

/**
 * The writer of inventory_levels: applies a batch of movements with ONE guarded UPDATE of the
 * counters (deltas summed per level) and ONE multi-row INSERT of their ledger rows, so the ledger
 * always sums to the counters. The WHERE clause is the atomic guard: a level changes only if, after
 * the change, on hand and reserved stay >= 0 and, when `keepAvailable`, on hand − reserved stays
 * >= 0. PostgreSQL re-evaluates it on the newest row version after waiting for a concurrent writer
 * (READ COMMITTED), and SQLite runs one writer at a time, so no interleaving can oversell.
 *
 * All or nothing: when the guard refuses any level, this returns undefined and the caller must throw
 * to roll back its transaction (the other levels of the batch were already updated in it; the
 * batch's ledger rows are removed).
 *
 * Deadlocks: on PostgreSQL the statement first locks the levels in (variant, location) order, the
 * order every other locker of levels uses (reserve, closeReservations), so two batches touching
 * the same levels in any order queue instead of deadlocking. SQLite has a single writer.
 */
export async function applyMovements(
  trx: Trx,
  movements: readonly Movement[],
  options: {
    keepAvailable: boolean;
    thresholds?: ReadonlyMap<string, number | null>;
    /**
     * On refusal, also take back the levels of the batch that the UPDATE did change, so the caller's
     * transaction is as before the call and may go on (reserve then re-plans with the levels locked).
     */
    undoOnRefusal?: boolean;
  },
): Promise<MovementsResult | undefined> {
  if (movements.length === 0) return { levels: [], events: [] };
  const at = now();
  const deltas = new Map<string, { variant_id: string; location_id: string; on: number; res: number }>();
  for (const m of movements) {
    const key = `${m.variant_id}\u0000${m.location_id}`;
    const d = deltas.get(key) ?? { variant_id: m.variant_id, location_id: m.location_id, on: 0, res: 0 };
    d.on += m.on_hand_delta;
    d.res += m.reserved_delta;
    deltas.set(key, d);
  }
  const sorted = [...deltas.values()].sort((a, b) =>
    a.variant_id === b.variant_id
      ? a.location_id < b.location_id
        ? -1
        : a.location_id > b.location_id
          ? 1
          : 0
      : a.variant_id < b.variant_id
        ? -1
        : 1,
  );
  // Ledger rows first, the contended level UPDATE last: PostgreSQL holds the level locks from the
  // UPDATE to the end of the transaction, so the less that follows it, the shorter other checkouts of
  // the same variants wait.
  const ids = movements.map(() => newId('mov'));
  await insertMovements(trx, {
    ids,
    variant_ids: movements.map((m) => m.variant_id),
    location_ids: movements.map((m) => m.location_id),
    kinds: movements.map((m) => m.kind),
    on_hand_deltas: movements.map((m) => m.on_hand_delta),
    reserved_deltas: movements.map((m) => m.reserved_delta),
    reasons: movements.map((m) => m.reason),
    actors: movements.map((m) => m.actor),
    reference_types: movements.map((m) => m.reference_type ?? null),
    reference_ids: movements.map((m) => m.reference_id ?? null),
    at,
  });
  const rows = await updateLevels(
    trx,
    {
      variant_ids: sorted.map((d) => d.variant_id),
      location_ids: sorted.map((d) => d.location_id),
      d_on: sorted.map((d) => d.on),
      d_res: sorted.map((d) => d.res),
      at,
    },
    options.keepAvailable ? 'keep' : '',
  );
  if (rows.length !== sorted.length) {
    // Refused: the transaction is about to roll back, but a caller that goes on must find no trace.
    await trx.deleteFrom('inventory_movements').where('id', 'in', ids).execute();
    if (options.undoOnRefusal && rows.length > 0) {
      const undo = sql.join(
        rows.map((r) => {
          const d = deltas.get(`${r.variant_id}\u0000${r.location_id}`)!;
          return sql`(${r.variant_id}, ${r.location_id}, cast(${-d.on} as integer), cast(${-d.res} as integer))`;
        }),
      );
      // These rows are this transaction's own (locked by the UPDATE above): no guard, no waiting.
      await sql`
        with v (variant_id, location_id, d_on, d_res) as (values ${undo})
        update inventory_levels
           set on_hand = inventory_levels.on_hand + v.d_on,
               reserved = inventory_levels.reserved + v.d_res
          from v
         where inventory_levels.variant_id = v.variant_id
           and inventory_levels.location_id = v.location_id`.execute(trx);
    }
    return undefined;
  }
  const levels = rows.map((r) => ({ ...r, on_hand: Number(r.on_hand), reserved: Number(r.reserved) }));
  const events: DomainEvent[] = [];
  for (const level of levels) {
    const threshold = options.thresholds?.get(level.variant_id);
    if (threshold === null || threshold === undefined) continue;
    const d = deltas.get(`${level.variant_id}\u0000${level.location_id}`)!;
    const availableAfter = level.on_hand - level.reserved;
    const availableBefore = availableAfter - d.on + d.res;
    const payload = {
      variant_id: level.variant_id,
      location_id: level.location_id,
      available: availableAfter,
      threshold,
    };
    if (availableBefore > threshold && availableAfter <= threshold)
      events.push({ topic: 'inventory.low_stock', payload });
    else if (availableBefore <= threshold && availableAfter > threshold)
      events.push({ topic: 'inventory.low_stock_cleared', payload });
  }
  return { levels, events };
}

// Every reservation, commit and release runs these two: compiled once per row count (prepared).
const insertMovements = prepared(
  (
    db,
    a: {
      ids: string[];
      variant_ids: string[];
      location_ids: string[];
      kinds: string[];
      on_hand_deltas: number[];
      reserved_deltas: number[];
      reasons: string[];
      actors: string[];
      reference_types: Array<string | null>;
      reference_ids: Array<string | null>;
      at: string;
    },
  ) =>
    db.insertInto('inventory_movements').values(
      a.ids.map((id, i) => ({
        id,
        variant_id: a.variant_ids[i]!,
        location_id: a.location_ids[i]!,
        kind: a.kinds[i] as MovementKind,
        on_hand_delta: a.on_hand_deltas[i]!,
        reserved_delta: a.reserved_deltas[i]!,
        reason: a.reasons[i]!,
        actor: a.actors[i]!,
        reference_type: a.reference_types[i] ?? null,
        reference_id: a.reference_ids[i] ?? null,
        created_at: a.at,
      })),
    ),
);

/**
 * The guarded UPDATE of the levels (see applyMovements), one row per (variant, location) in key
 * order. Shape `keep`: also keep on hand − reserved >= 0.
 */
const updateLevels = prepared(
  (
    db,
    a: { variant_ids: string[]; location_ids: string[]; d_on: number[]; d_res: number[]; at: string },
    shape,
  ) => {
    const values = sql.join(
      a.variant_ids.map(
        (variantId, i) =>
          sql`(${variantId}, ${a.location_ids[i]}, cast(${a.d_on[i]} as integer), cast(${a.d_res[i]} as integer))`,
      ),
    );
    const postgres = dialectOf(db) === 'postgres';
    // PostgreSQL: lock the levels in key order first (a materialized CTE runs its ORDER BY … FOR
    // UPDATE as written); the UPDATE then touches only rows this statement already holds.
    const lock = postgres
      ? sql`, locked as materialized (
        select l.variant_id, l.location_id from inventory_levels l
        join v on l.variant_id = v.variant_id and l.location_id = v.location_id
        order by l.variant_id, l.location_id for update of l)`
      : sql``;
    const onlyLocked = postgres
      ? sql`and exists (select 1 from locked k where k.variant_id = inventory_levels.variant_id and k.location_id = inventory_levels.location_id)`
      : sql``;
    const keep =
      shape === 'keep'
        ? sql`and inventory_levels.on_hand + v.d_on - (inventory_levels.reserved + v.d_res) >= 0`
        : sql``;
    const statement = sql<LevelAfter & { variant_id: string; location_id: string }>`
    with v (variant_id, location_id, d_on, d_res) as (values ${values})${lock}
    update inventory_levels
       set on_hand = inventory_levels.on_hand + v.d_on,
           reserved = inventory_levels.reserved + v.d_res,
           updated_at = ${a.at}
      from v
     where inventory_levels.variant_id = v.variant_id
       and inventory_levels.location_id = v.location_id
       and inventory_levels.on_hand + v.d_on >= 0
       and inventory_levels.reserved + v.d_res >= 0
       ${keep} ${onlyLocked}
    returning inventory_levels.variant_id, inventory_levels.location_id,
              inventory_levels.on_hand, inventory_levels.reserved`;
    return { compile: () => statement.compile(db) };
  },
);

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
  const rows = await thresholdRows(trx, { ids: [...variantIds] });
  return new Map(rows.map((r) => [r.variant_id, r.low_stock_threshold]));
}

const thresholdRows = prepared((db, a: { ids: string[] }) =>
  db
    .selectFrom('inventory_items')
    .select(['variant_id', 'low_stock_threshold'])
    .where('variant_id', 'in', a.ids),
);
