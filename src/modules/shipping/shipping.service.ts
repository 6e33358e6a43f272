import type { Selectable } from 'kysely';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { describeReferences, referencesTo } from '../../platform/db/references.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import { getRegion } from '../regions/index.js';
import { type ShippingRate, shippingPrice, type WeightBracket } from './rates.js';
import { ShippingErrors } from './shipping.errors.js';
import type { ShippingOptionTable, ShippingPriceType } from './shipping.tables.js';

type Row = Selectable<ShippingOptionTable>;

export interface ShippingOption extends ShippingRate {
  id: string;
  region_id: string;
  name: string;
  provider: string;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface ShippingOptionInput {
  region_id: string;
  name: string;
  provider?: 'manual' | 'courier';
  price_type: ShippingPriceType;
  amount: number;
  free_above?: number | null;
  weight_table?: WeightBracket[];
  active?: boolean;
}

export function toShippingOption(row: Row): ShippingOption {
  return { ...row, weight_table: JSON.parse(row.weight_table) as WeightBracket[], active: row.active === 1 };
}

function assertPricing(input: {
  price_type: ShippingPriceType;
  free_above?: number | null | undefined;
  weight_table?: WeightBracket[] | undefined;
}): void {
  const problems: string[] = [];
  if (input.price_type === 'free_above' && (input.free_above === undefined || input.free_above === null)) {
    problems.push('free_above needs a free_above threshold');
  }
  if (input.price_type === 'weight_table' && !input.weight_table?.length)
    problems.push('weight_table needs brackets');
  if (problems.length) throw new AppError(ShippingErrors.INVALID_SHIPPING_OPTION, problems.join('; '));
}

const sortedBrackets = (brackets: WeightBracket[] | undefined) =>
  JSON.stringify([...(brackets ?? [])].sort((a, b) => a.max_grams - b.max_grams));

export async function createShippingOption(db: Db, input: ShippingOptionInput): Promise<ShippingOption> {
  assertPricing(input);
  await getRegion(db, input.region_id);
  const at = now();
  const row: Row = {
    id: newId('so'),
    region_id: input.region_id,
    name: input.name,
    provider: input.provider ?? 'manual',
    price_type: input.price_type,
    amount: input.amount,
    free_above: input.free_above ?? null,
    weight_table: sortedBrackets(input.weight_table),
    active: input.active === false ? 0 : 1,
    created_at: at,
    updated_at: at,
  };
  await inTransaction(db, async (trx) => {
    await trx.insertInto('shipping_options').values(row).execute();
    await emit(trx, {
      topic: 'shipping_option.created',
      payload: { shipping_option_id: row.id, region_id: row.region_id },
    });
  });
  return toShippingOption(row);
}

export type ShippingOptionPatch = Partial<Omit<ShippingOptionInput, 'region_id'>>;

async function lockOption(trx: Trx, id: string): Promise<Row> {
  const row = await lockRows(
    trx,
    trx.selectFrom('shipping_options').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  if (!row) throw new AppError(ShippingErrors.SHIPPING_OPTION_NOT_FOUND, `Shipping option ${id} not found`);
  return row;
}

/**
 * Changes an option's name, provider, pricing or `active` flag. The merged option must still price
 * (free_above needs its threshold, weight_table its brackets). Carts price shipping when they are read,
 * so open carts see the new price at once; placed orders keep the price they were charged.
 */
export async function updateShippingOption(
  db: Db,
  id: string,
  patch: ShippingOptionPatch,
  actor: AuditActor,
): Promise<ShippingOption> {
  return inTransaction(db, async (trx) => {
    const row = await lockOption(trx, id);
    const before = toShippingOption(row);
    const merged = {
      price_type: patch.price_type ?? before.price_type,
      free_above: patch.free_above !== undefined ? patch.free_above : before.free_above,
      weight_table: patch.weight_table ?? before.weight_table,
    };
    assertPricing(merged);
    const set: Partial<Row> = { updated_at: now() };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.provider !== undefined) set.provider = patch.provider;
    if (patch.price_type !== undefined) set.price_type = patch.price_type;
    if (patch.amount !== undefined) set.amount = patch.amount;
    if (patch.free_above !== undefined) set.free_above = patch.free_above;
    if (patch.weight_table !== undefined) set.weight_table = sortedBrackets(patch.weight_table);
    if (patch.active !== undefined) set.active = patch.active ? 1 : 0;
    await trx.updateTable('shipping_options').set(set).where('id', '=', id).execute();
    const after = toShippingOption(await lockOption(trx, id));
    await recordAudit(trx, actor, {
      action: 'shipping_option.updated',
      target_type: 'shipping_option',
      target_id: id,
      before,
      after,
    });
    await emit(trx, {
      topic: 'shipping_option.updated',
      payload: { shipping_option_id: id, region_id: row.region_id, active: after.active },
    });
    return after;
  });
}

/** Deletes an option no open order or active cart uses; otherwise 409, and it can be deactivated. */
export async function deleteShippingOption(db: Db, id: string, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await lockOption(trx, id);
    const uses = await referencesTo(trx, 'shipping_option', id);
    if (uses.length)
      throw new AppError(
        ShippingErrors.SHIPPING_OPTION_IN_USE,
        `The shipping option is still in use: ${describeReferences(uses)}; deactivate it instead`,
        uses,
      );
    await trx.deleteFrom('shipping_options').where('id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: 'shipping_option.deleted',
      target_type: 'shipping_option',
      target_id: id,
      before: toShippingOption(row),
    });
    await emit(trx, {
      topic: 'shipping_option.deleted',
      payload: { shipping_option_id: id, region_id: row.region_id },
    });
  });
}

export async function getShippingOption(db: DbOrTrx, id: string): Promise<ShippingOption> {
  const row = await db.selectFrom('shipping_options').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(ShippingErrors.SHIPPING_OPTION_NOT_FOUND, `Shipping option ${id} not found`);
  return toShippingOption(row);
}

/** All options, or a region's: only the active ones unless `includeInactive` (the admin's list). */
export async function listShippingOptions(
  db: DbOrTrx,
  regionId?: string,
  options: { includeInactive?: boolean } = {},
): Promise<ShippingOption[]> {
  let query = db.selectFrom('shipping_options').selectAll().orderBy('id');
  if (regionId) query = query.where('region_id', '=', regionId);
  if (regionId && !options.includeInactive) query = query.where('active', '=', 1);
  return (await query.execute()).map(toShippingOption);
}

/** The options a cart may choose, each with its price for that cart. */
export async function optionsForCart(
  db: DbOrTrx,
  cart: { region_id: string; subtotal: number; weight_grams: number },
): Promise<Array<ShippingOption & { price: number }>> {
  const options = await listShippingOptions(db, cart.region_id);
  return options.flatMap((option) => {
    const price = shippingPrice(option, cart);
    return price === null ? [] : [{ ...option, price }];
  });
}

const SHIPPING_TAG = 'shipping-options';

/** A shipping option from the shared cache (invalidated on every shipping option write). */
export async function shippingOptionCached(
  deps: { db: DbOrTrx; cache: Cache },
  id: string,
): Promise<ShippingOption> {
  const key = `shipping-option:${id}`;
  const hit = await deps.cache.get<ShippingOption>(key);
  if (hit) return hit;
  const option = await getShippingOption(deps.db, id);
  await deps.cache.set(key, option, { ttlMs: 5 * 60_000, tags: [SHIPPING_TAG] });
  return option;
}

export function invalidateShippingOptions(cache: Cache): Promise<void> {
  return cache.invalidateTags([SHIPPING_TAG]);
}
