import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { prepared } from '../../platform/db/prepared.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { type DomainEvent, emit, emitAll } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { type PlanLocation, planAllocation, totalAvailable } from './allocation.js';
import { InventoryErrors } from './inventory.errors.js';
import type { InventoryReservationTable } from './inventory.tables.js';
import { applyMovement, applyMovements, ensureLevel, thresholds } from './ledger.js';
import { assertQuantity, getInventoryItems } from './stock.service.js';

export interface ReserveInput {
  lines: ReadonlyArray<{ variant_id: string; quantity: number }>;
  region_id: string;
  reference_type: string;
  reference_id: string;
  /** ISO time after which the expiry job releases the reservation; null keeps it until released. */
  expires_at: string | null;
  actor: string;
  reason: string;
}

export interface Reservation {
  id: string;
  variant_id: string;
  location_id: string;
  quantity: number;
  expires_at: string | null;
}

export interface Shortage {
  variant_id: string;
  requested: number;
  available: number;
}

export type ReserveResult =
  | {
      ok: true;
      reservations: Reservation[];
      /** Units accepted without stock because the variant allows backorder or preorder. */
      backordered: Array<{ variant_id: string; quantity: number }>;
    }
  | { ok: false; shortages: Shortage[] };

/**
 * Reserves every line or nothing, from the active locations serving the region, shipping from as few
 * locations as possible (see allocation.ts). Untracked variants need no stock; backorder/preorder
 * variants take what exists and accept the rest as backordered.
 *
 * Concurrency, optimistic first: the levels are read without a lock, the plan is made, its reservation
 * rows and event are written, and the ONE guarded UPDATE of the levels comes last (it refuses to make
 * availability negative, re-checked by PostgreSQL on the newest row version). So on PostgreSQL the
 * levels of popular variants are locked only from that UPDATE to the commit, not for the whole
 * reservation. If the guard refuses (another checkout took the units between the read and the UPDATE),
 * this attempt's rows are removed and the reservation is planned again with the levels locked in a
 * stable order (`FOR UPDATE`), which cannot be refused. SQLite transactions hold the database's write
 * lock, so there the first attempt always stands. A shortage is a value, not a throw, and writes nothing.
 */
export async function reserve(trx: Trx, input: ReserveInput): Promise<ReserveResult> {
  const requested = new Map<string, number>();
  input.lines.forEach((line, i) => {
    assertQuantity(line.quantity, `lines[${i}].quantity`, { min: 1 });
    requested.set(line.variant_id, (requested.get(line.variant_id) ?? 0) + line.quantity);
  });
  const variantIds = [...requested.keys()].sort();
  if (variantIds.length === 0) return { ok: true, reservations: [], backordered: [] };
  const items = await getInventoryItems(trx, variantIds);
  const tracked = variantIds.filter((id) => items.get(id)!.tracked);
  const partial = new Set(
    tracked.filter((id) => items.get(id)!.allow_backorder || items.get(id)!.allow_preorder),
  );

  const locations = await servingLocations(trx, { region_id: input.region_id });
  const lines = tracked.map((variant_id) => ({ variant_id, quantity: requested.get(variant_id)! }));
  const planNow = async (locked: boolean) => {
    const levels =
      tracked.length === 0 || locations.length === 0
        ? []
        : await levelRows(
            trx,
            { variant_ids: tracked, location_ids: locations.map((l) => l.id) },
            locked ? 'locked' : '',
          );
    const planLocations: PlanLocation[] = locations.map((l) => ({
      id: l.id,
      priority: l.priority,
      available: new Map(
        levels
          .filter((v) => v.location_id === l.id)
          .map((v) => [v.variant_id, Math.max(0, v.on_hand - v.reserved)]),
      ),
    }));
    const plan = planAllocation(lines, planLocations, partial);
    const shortages = [...plan.unfilled]
      .filter(([variant]) => !partial.has(variant))
      .map(([variant_id]) => ({
        variant_id,
        requested: requested.get(variant_id)!,
        available: totalAvailable(planLocations, variant_id),
      }));
    return { plan, shortages };
  };
  const thresholdsOf = new Map(tracked.map((id) => [id, items.get(id)!.low_stock_threshold]));

  /** One attempt: the plan's rows and event, then the guarded UPDATE; undefined when it was refused. */
  const attempt = async (locked: boolean): Promise<ReserveResult | undefined> => {
    let { plan, shortages } = await planNow(locked);
    // Before refusing, free units held by reservations that have expired but not been swept yet.
    if (
      shortages.length > 0 &&
      (await expireFor(
        trx,
        shortages.map((s) => s.variant_id),
      )) > 0
    )
      ({ plan, shortages } = await planNow(locked));
    if (shortages.length > 0) return { ok: false, shortages };

    const at = now();
    const reservations: Reservation[] = plan.allocations.map((allocation) => ({
      id: newId('resv'),
      ...allocation,
      expires_at: input.expires_at,
    }));
    if (reservations.length > 0)
      await insertReservations(trx, {
        ids: reservations.map((r) => r.id),
        variant_ids: reservations.map((r) => r.variant_id),
        location_ids: reservations.map((r) => r.location_id),
        quantities: reservations.map((r) => r.quantity),
        expires_at: input.expires_at,
        reference_type: input.reference_type,
        reference_id: input.reference_id,
        actor: input.actor,
        reason: input.reason,
        at,
      });
    const backordered = [...plan.unfilled].map(([variant_id, quantity]) => ({ variant_id, quantity }));
    const eventIds = await emitAll(trx, [
      {
        topic: 'inventory.reserved',
        payload: {
          reference_type: input.reference_type,
          reference_id: input.reference_id,
          reservations: reservations.map(({ id, variant_id, location_id, quantity }) => ({
            id,
            variant_id,
            location_id,
            quantity,
          })),
          backordered,
        },
      },
    ]);
    // Last: one guarded UPDATE and one ledger INSERT for all lines.
    const moved = await applyMovements(
      trx,
      plan.allocations.map((allocation) => ({
        ...allocation,
        kind: 'reserve' as const,
        on_hand_delta: 0,
        reserved_delta: allocation.quantity,
        reason: input.reason,
        actor: input.actor,
        reference_type: input.reference_type,
        reference_id: input.reference_id,
      })),
      { keepAvailable: true, thresholds: thresholdsOf, undoOnRefusal: true },
    );
    if (!moved) {
      // Refused and undone: remove this attempt's reservations and event, leaving no trace.
      if (reservations.length > 0)
        await trx
          .deleteFrom('inventory_reservations')
          .where(
            'id',
            'in',
            reservations.map((r) => r.id),
          )
          .execute();
      await trx.deleteFrom('outbox_deliveries').where('event_id', 'in', eventIds).execute();
      await trx.deleteFrom('outbox_events').where('id', 'in', eventIds).execute();
      return undefined;
    }
    if (moved.events.length > 0) await emitAll(trx, moved.events);
    return { ok: true, reservations, backordered };
  };

  const optimistic = await attempt(false);
  if (optimistic) return optimistic;
  const locked = await attempt(true);
  // Unreachable while the rows are locked; if it ever happens, throwing rolls the whole unit back.
  if (!locked) throw new AppError(InventoryErrors.INSUFFICIENT_STOCK, 'Stock changed during reservation');
  return locked;
}

interface Reference {
  reference_type: string;
  reference_id: string;
}

async function activeReservations(trx: Trx, ref: Reference): Promise<InventoryReservationTable[]> {
  return activeRows(trx, { reference_type: ref.reference_type, reference_id: ref.reference_id });
}

// The statements of every checkout's reserve and commit, compiled once per shape (prepared). The
// locking reads are built on the transaction, so PostgreSQL's shapes carry FOR UPDATE (see lockRows).
const servingLocations = prepared((db, a: { region_id: string }) =>
  db
    .selectFrom('stock_locations as s')
    .innerJoin('stock_location_regions as r', 'r.location_id', 's.id')
    .select(['s.id', 's.priority'])
    .where('r.region_id', '=', a.region_id)
    .where('s.active', '=', 1),
);

const levelRows = prepared((db, a: { variant_ids: string[]; location_ids: string[] }, shape) => {
  const read = db
    .selectFrom('inventory_levels')
    .select(['variant_id', 'location_id', 'on_hand', 'reserved'])
    .where('variant_id', 'in', a.variant_ids)
    .where('location_id', 'in', a.location_ids)
    .orderBy('variant_id')
    .orderBy('location_id');
  return shape === 'locked' ? lockRows(db as Trx, read) : read;
});

const insertReservations = prepared(
  (
    db,
    a: {
      ids: string[];
      variant_ids: string[];
      location_ids: string[];
      quantities: number[];
      expires_at: string | null;
      reference_type: string;
      reference_id: string;
      actor: string;
      reason: string;
      at: string;
    },
  ) =>
    db.insertInto('inventory_reservations').values(
      a.ids.map((id, i) => ({
        id,
        variant_id: a.variant_ids[i]!,
        location_id: a.location_ids[i]!,
        quantity: a.quantities[i]!,
        expires_at: a.expires_at,
        status: 'active' as const,
        reference_type: a.reference_type,
        reference_id: a.reference_id,
        actor: a.actor,
        reason: a.reason,
        created_at: a.at,
        updated_at: a.at,
      })),
    ),
);

const activeRows = prepared((db, a: { reference_type: string; reference_id: string }) =>
  lockRows(
    db as Trx,
    db
      .selectFrom('inventory_reservations')
      .selectAll()
      .where('reference_type', '=', a.reference_type)
      .where('reference_id', '=', a.reference_id)
      .where('status', '=', 'active')
      .orderBy('variant_id')
      .orderBy('location_id'),
  ),
);

const closeRows = prepared((db, a: { ids: string[]; status: string; at: string }) =>
  db
    .updateTable('inventory_reservations')
    .set({ status: a.status as InventoryReservationTable['status'], updated_at: a.at })
    .where('id', 'in', a.ids)
    .where('status', '=', 'active'),
);

/**
 * Closes reservations: one guarded UPDATE of the levels, one ledger INSERT, one status UPDATE,
 * whatever the number of rows. Returns the low-stock events for the caller to emit with its own.
 */
async function closeReservations(
  trx: Trx,
  rows: InventoryReservationTable[],
  outcome: {
    status: 'released' | 'expired' | 'committed';
    kind: 'release' | 'expire' | 'commit';
    actor: string;
    reason: string;
  },
): Promise<DomainEvent[]> {
  const limits = await thresholds(trx, [...new Set(rows.map((r) => r.variant_id))]);
  // The reservation rows are the caller's own (locked above); the shared level rows are written last.
  await closeRows(trx, { ids: rows.map((r) => r.id), status: outcome.status, at: now() });
  const moved = await applyMovements(
    trx,
    rows.map((row) => ({
      variant_id: row.variant_id,
      location_id: row.location_id,
      kind: outcome.kind,
      on_hand_delta: outcome.kind === 'commit' ? -row.quantity : 0,
      reserved_delta: -row.quantity,
      reason: outcome.reason,
      actor: outcome.actor,
      reference_type: row.reference_type,
      reference_id: row.reference_id,
    })),
    { keepAvailable: false, thresholds: limits },
  );
  if (!moved) throw new Error('inventory levels are inconsistent with their reservations');
  return moved.events;
}

/** Gives back every active reservation of a reference (cart abandoned, payment failed). Idempotent. */
export async function release(
  trx: Trx,
  input: Reference & { actor: string; reason: string },
): Promise<{ released: number }> {
  const rows = await activeReservations(trx, input);
  if (rows.length === 0) return { released: 0 };
  const events = await closeReservations(trx, rows, {
    status: 'released',
    kind: 'release',
    actor: input.actor,
    reason: input.reason,
  });
  await emitAll(trx, [
    ...events,
    {
      topic: 'inventory.released',
      payload: {
        reference_type: input.reference_type,
        reference_id: input.reference_id,
        reservation_ids: rows.map((r) => r.id),
      },
    },
  ]);
  return { released: rows.length };
}

/**
 * Turns a reference's active reservations into stock that left: on hand and reserved both drop by the
 * quantity, one ledger row each. Idempotent: a second call finds nothing active.
 *
 * `outbox`: when given, the events are appended to it instead of being written, so a caller that
 * emits its own events in the same transaction writes them all with one emitAll (checkout does).
 */
export async function commit(
  trx: Trx,
  input: Reference & { actor: string; reason?: string },
  outbox?: DomainEvent[],
): Promise<{ committed: Array<{ variant_id: string; location_id: string; quantity: number }> }> {
  const rows = await activeReservations(trx, input);
  if (rows.length === 0) return { committed: [] };
  const events = await closeReservations(trx, rows, {
    status: 'committed',
    kind: 'commit',
    actor: input.actor,
    reason: input.reason ?? 'order placed',
  });
  const committed = rows.map(({ variant_id, location_id, quantity }) => ({
    variant_id,
    location_id,
    quantity,
  }));
  events.push({
    topic: 'inventory.committed',
    payload: { reference_type: input.reference_type, reference_id: input.reference_id, lines: committed },
  });
  if (outbox) outbox.push(...events);
  else await emitAll(trx, events);
  return { committed };
}

/**
 * Puts committed stock of a reference back on hand (cancellation, return), at the locations it left
 * from. `lines` limits it to some variants/quantities; without it, everything not yet restocked. Never
 * restocks more than was committed for the reference, so a retry is harmless.
 */
export async function restock(
  trx: Trx,
  input: Reference & {
    actor: string;
    reason: string;
    lines?: ReadonlyArray<{ variant_id: string; quantity: number }>;
  },
): Promise<{ restocked: Array<{ variant_id: string; location_id: string; quantity: number }> }> {
  const committed = await lockRows(
    trx,
    trx
      .selectFrom('inventory_reservations')
      .select(['variant_id', 'location_id', 'quantity'])
      .where('reference_type', '=', input.reference_type)
      .where('reference_id', '=', input.reference_id)
      .where('status', '=', 'committed')
      .orderBy('variant_id')
      .orderBy('location_id'),
  ).execute();
  const done = await trx
    .selectFrom('inventory_movements')
    .select(['variant_id', 'location_id', 'on_hand_delta'])
    .where('reference_type', '=', input.reference_type)
    .where('reference_id', '=', input.reference_id)
    .where('kind', '=', 'restock')
    .execute();
  const wanted = input.lines ? new Map<string, number>() : undefined;
  input.lines?.forEach((l, i) => {
    assertQuantity(l.quantity, `lines[${i}].quantity`, { min: 1 });
    wanted!.set(l.variant_id, (wanted!.get(l.variant_id) ?? 0) + l.quantity);
  });
  const limits = await thresholds(trx, [...new Set(committed.map((r) => r.variant_id))]);
  const restocked: Array<{ variant_id: string; location_id: string; quantity: number }> = [];
  const left = new Map<string, number>();
  for (const row of committed) {
    const key = `${row.variant_id}\u0000${row.location_id}`;
    left.set(key, (left.get(key) ?? 0) + row.quantity);
  }
  for (const row of done) {
    const key = `${row.variant_id}\u0000${row.location_id}`;
    left.set(key, (left.get(key) ?? 0) - row.on_hand_delta);
  }
  for (const [key, open] of left) {
    const [variant_id, location_id] = key.split('\u0000') as [string, string];
    let quantity = open;
    if (wanted) quantity = Math.min(quantity, wanted.get(variant_id) ?? 0);
    if (quantity <= 0) continue;
    if (wanted) wanted.set(variant_id, wanted.get(variant_id)! - quantity);
    await ensureLevel(trx, variant_id, location_id);
    await applyMovement(
      trx,
      {
        variant_id,
        location_id,
        kind: 'restock',
        on_hand_delta: quantity,
        reserved_delta: 0,
        reason: input.reason,
        actor: input.actor,
        reference_type: input.reference_type,
        reference_id: input.reference_id,
      },
      { keepAvailable: false, lowStockThreshold: limits.get(variant_id) ?? null },
    );
    restocked.push({ variant_id, location_id, quantity });
  }
  if (restocked.length > 0)
    await emit(trx, {
      topic: 'inventory.restocked',
      payload: { reference_type: input.reference_type, reference_id: input.reference_id, lines: restocked },
    });
  return { restocked };
}

/** Expires the lapsed reservations of some variants inside the caller's transaction; returns how many. */
async function expireFor(trx: Trx, variantIds: string[]): Promise<number> {
  const rows = await lockRows(
    trx,
    trx
      .selectFrom('inventory_reservations')
      .selectAll()
      .where('status', '=', 'active')
      .where('variant_id', 'in', variantIds)
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now())
      .orderBy('id'),
  ).execute();
  if (rows.length === 0) return 0;
  const events = await closeReservations(trx, rows, {
    status: 'expired',
    kind: 'expire',
    actor: 'system',
    reason: 'reservation expired',
  });
  await emitAll(trx, [
    ...events,
    { topic: 'inventory.expired', payload: { reservation_ids: rows.map((r) => r.id) } },
  ]);
  return rows.length;
}

/** Releases reservations whose expiry has passed, in batches; the scheduled job calls this. */
export async function expireReservations(
  db: Db,
  options: { at?: string; batch?: number } = {},
): Promise<number> {
  const at = options.at ?? now();
  const batch = options.batch ?? 200;
  let total = 0;
  for (;;) {
    const count = await inTransaction(db, async (trx) => {
      const rows = await lockRows(
        trx,
        trx
          .selectFrom('inventory_reservations')
          .selectAll()
          .where('status', '=', 'active')
          .where('expires_at', 'is not', null)
          .where('expires_at', '<=', at)
          .orderBy('expires_at')
          .limit(batch),
        { skipLocked: true },
      ).execute();
      if (rows.length === 0) return 0;
      const events = await closeReservations(trx, rows, {
        status: 'expired',
        kind: 'expire',
        actor: 'system',
        reason: 'reservation expired',
      });
      await emitAll(trx, [
        ...events,
        { topic: 'inventory.expired', payload: { reservation_ids: rows.map((r) => r.id) } },
      ]);
      return rows.length;
    });
    total += count;
    if (count < batch) return total;
  }
}
