import type { Selectable } from 'kysely';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
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

export async function createShippingOption(db: Db, input: ShippingOptionInput): Promise<ShippingOption> {
  const problems: string[] = [];
  if (input.price_type === 'free_above' && (input.free_above === undefined || input.free_above === null)) {
    problems.push('free_above needs a free_above threshold');
  }
  if (input.price_type === 'weight_table' && !input.weight_table?.length)
    problems.push('weight_table needs brackets');
  if (problems.length) throw new AppError(ShippingErrors.INVALID_SHIPPING_OPTION, problems.join('; '));
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
    weight_table: JSON.stringify([...(input.weight_table ?? [])].sort((a, b) => a.max_grams - b.max_grams)),
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

export async function getShippingOption(db: DbOrTrx, id: string): Promise<ShippingOption> {
  const row = await db.selectFrom('shipping_options').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(ShippingErrors.SHIPPING_OPTION_NOT_FOUND, `Shipping option ${id} not found`);
  return toShippingOption(row);
}

export async function listShippingOptions(db: DbOrTrx, regionId?: string): Promise<ShippingOption[]> {
  let query = db.selectFrom('shipping_options').selectAll().orderBy('id');
  if (regionId) query = query.where('region_id', '=', regionId).where('active', '=', 1);
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
