// The catalog's side of the pricing seam: base prices are owned by the pricing module and written
// through its index; the catalog only keeps a per-product min/max index for list filters and sorts.
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import { availability } from '../inventory/index.js';
import { getVariantPrices, resolvePrices, setPricesForVariants } from '../pricing/index.js';
import type { Region } from '../regions/index.js';

export type BasePrice = { currency_code: string; amount: number };

/** Replaces the base prices (quantity 1) of many variants in a few batched statements. */
export async function setPrices(
  trx: Trx,
  entries: Array<{ variant_id: string; prices: BasePrice[] }>,
): Promise<void> {
  await setPricesForVariants(trx, entries);
}

export async function basePrices(db: DbOrTrx, variantIds: string[]): Promise<Map<string, BasePrice[]>> {
  if (variantIds.length === 0) return new Map();
  const all = await getVariantPrices(db, variantIds);
  const base = new Map<string, BasePrice[]>();
  for (const [id, prices] of all) {
    base.set(
      id,
      prices
        .filter((p) => p.min_quantity === 1)
        .map((p) => ({ currency_code: p.currency_code, amount: p.amount })),
    );
  }
  return base;
}

export interface ShopperPrice {
  currency_code: string;
  amount: number;
  original_amount: number;
  price_list_id: string | null;
  tax_rate_bp: number;
  tax_inclusive: boolean;
  amount_excl_tax: number;
  amount_incl_tax: number;
  tax_amount: number;
}

export interface Availability {
  available: number;
  backorder: boolean;
  preorder: boolean;
  tracked: boolean;
  in_stock: boolean;
}

/** Region prices with tax and availability for a set of variants: the two calls a storefront read makes. */
export async function priceAndStock(
  db: DbOrTrx,
  variants: Array<{ id: string; tax_class_id: string | null }>,
  region: Region,
  customerGroupIds: string[] = [],
): Promise<{ prices: Map<string, ShopperPrice>; stock: Map<string, Availability> }> {
  if (variants.length === 0) return { prices: new Map(), stock: new Map() };
  const variantIds = variants.map((v) => v.id);
  const taxClasses = new Map(variants.map((v) => [v.id, v.tax_class_id]));
  const [resolved, levels] = await Promise.all([
    resolvePrices(db, {
      variant_ids: variantIds,
      region,
      tax_class_ids: taxClasses,
      customer_group_ids: customerGroupIds,
    }),
    availability(db, { variant_ids: variantIds, region_id: region.id }),
  ]);
  const prices = new Map<string, ShopperPrice>();
  for (const [id, p] of resolved) {
    prices.set(id, {
      currency_code: p.currency_code,
      amount: p.amount,
      original_amount: p.original_amount,
      price_list_id: p.price_list_id,
      tax_rate_bp: p.tax_rate_bp,
      tax_inclusive: Boolean(p.tax_inclusive),
      amount_excl_tax: p.amount_excl_tax,
      amount_incl_tax: p.amount_incl_tax,
      tax_amount: p.tax_amount,
    });
  }
  const stock = new Map<string, Availability>();
  for (const [id, a] of levels) {
    const backorder = Boolean(a.backorder);
    const preorder = Boolean(a.preorder);
    const tracked = Boolean(a.tracked);
    stock.set(id, {
      available: a.available,
      backorder,
      preorder,
      tracked,
      in_stock: !tracked || a.available > 0 || backorder || preorder,
    });
  }
  return { prices, stock };
}
