import type { Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/http/errors.js';
import { getVariants } from '../catalog/index.js';
import { customerGroupIds } from '../identity/index.js';
import { availability } from '../inventory/index.js';
import { resolvePrices } from '../pricing/index.js';
import type { Region } from '../regions/index.js';
import { getShippingOption, shippingPrice } from '../shipping/index.js';
import { CartErrors } from './cart.errors.js';
import type { Address, Cart, CartItem } from './cart.service.js';

/** What a cart becomes in another region: the fields to write. */
export interface RegionMove {
  region_id: string;
  currency_code: string;
  items: CartItem[];
  shipping_option_id: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
}

const served = (region: Region, address: Address | null) =>
  address !== null && region.countries.some((c) => c.toLowerCase() === address.country_code.toLowerCase());

/**
 * Moves a cart to another region (the shopper picked another country or currency):
 *   - every line is re-priced in the new region's currency and tax (same quantity tiers as adding it);
 *   - every line is re-checked against the stock of the locations serving the new region;
 *   - the shipping option stays only if it is offered in the new region for this cart, else it is
 *     cleared (options belong to one region); addresses whose country the region does not serve are
 *     cleared. Discount codes stay; the totals engine rejects those that do not fit the new currency.
 * A line that cannot be sold there refuses the whole move (VARIANT_NOT_AVAILABLE 422, or
 * INSUFFICIENT_STOCK 409, each with `details` per variant) and nothing changes: the shopper removes
 * it first. Reads only; the caller writes the result.
 */
export async function moveToRegion(db: Db, cart: Cart, region: Region): Promise<RegionMove> {
  const ids = [...new Set(cart.items.map((i) => i.variant_id))];
  const variants = new Map((await getVariants(db, ids)).map((v) => [v.id, v]));
  const tax_class_ids = Object.fromEntries([...variants.values()].map((v) => [v.id, v.tax_class_id]));
  // Quantity tiers: one price lookup per distinct line quantity (carts hold a handful of lines).
  const quantities = [...new Set(cart.items.map((i) => i.quantity))];
  const customer_group_ids = cart.customer_id ? await customerGroupIds(db, cart.customer_id) : [];
  const [stock, ...priced] = await Promise.all([
    availability(db, { variant_ids: ids, region_id: region.id }),
    ...quantities.map((quantity) =>
      resolvePrices(db, {
        variant_ids: cart.items.filter((i) => i.quantity === quantity).map((i) => i.variant_id),
        region,
        quantity,
        tax_class_ids,
        customer_group_ids,
      }),
    ),
  ]);
  const priceOf = (line: CartItem) => priced[quantities.indexOf(line.quantity)]!.get(line.variant_id);
  const unavailable: Array<{ variant_id: string; reason: string }> = [];
  const shortages: Array<{ variant_id: string; requested: number; available: number }> = [];
  for (const line of cart.items) {
    if (variants.get(line.variant_id)?.status !== 'published')
      unavailable.push({ variant_id: line.variant_id, reason: 'not_for_sale' });
    else if (!priceOf(line))
      unavailable.push({ variant_id: line.variant_id, reason: `no_price_in_${region.currency_code}` });
    const level = stock.get(line.variant_id);
    if (level?.tracked && !level.backorder && !level.preorder && level.available < line.quantity)
      shortages.push({
        variant_id: line.variant_id,
        requested: line.quantity,
        available: Math.max(0, level.available),
      });
  }
  if (unavailable.length > 0)
    throw new AppError(
      CartErrors.VARIANT_NOT_AVAILABLE,
      `Some items cannot be sold in region ${region.name}; remove them first`,
      unavailable,
    );
  if (shortages.length > 0)
    throw new AppError(
      CartErrors.INSUFFICIENT_STOCK,
      `Some items are not in stock for region ${region.name}`,
      shortages,
    );
  const items = cart.items.map((line) => {
    const price = priceOf(line)!;
    return {
      ...line,
      unit_price: price.amount,
      original_unit_price: price.original_amount,
      tax_rate_bp: price.tax_rate_bp,
    };
  });
  let shipping_option_id: string | null = null;
  if (cart.shipping_option_id) {
    const option = await getShippingOption(db, cart.shipping_option_id).catch(() => null);
    const subtotal = items.reduce((s, i) => s + i.unit_price * i.quantity, 0);
    const weight_grams = items.reduce((s, i) => s + i.weight_grams * i.quantity, 0);
    if (
      option?.region_id === region.id &&
      option.active &&
      shippingPrice(option, { subtotal, weight_grams }) !== null
    )
      shipping_option_id = option.id;
  }
  return {
    region_id: region.id,
    currency_code: region.currency_code,
    items,
    shipping_option_id,
    shipping_address: served(region, cart.shipping_address) ? cart.shipping_address : null,
    billing_address: served(region, cart.billing_address) ? cart.billing_address : null,
  };
}
