import { sql } from 'kysely';
import { prepared } from '../../platform/db/prepared.js';
import { now } from '../../platform/db/time.js';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { assertAmount, currencyCode } from '../../platform/money/index.js';
import { getRegion, type Region, taxRateFor } from '../regions/index.js';
import { calculateTax, type PriceCandidate, pickBestPrice } from './price-calculator.js';
import { PricingErrors } from './pricing.errors.js';

export interface PriceInput {
  currency_code: string;
  amount: number;
  /** Quantity tier; 1 (the default) is the variant's price in this currency. */
  min_quantity?: number;
}

export interface VariantPrice {
  currency_code: string;
  amount: number;
  min_quantity: number;
}

/**
 * Validates and normalises a price set: known currency, whole non-negative amount, quantity >= 1, no
 * duplicate (currency, quantity), and a tier only where the base price (quantity 1) exists, unless
 * `tiersNeedBase` is false (price lists may hold a tier alone).
 * @throws AppError UNKNOWN_CURRENCY, INVALID_AMOUNT or INVALID_PRICE; nothing is written before this.
 */
export function normalizePrices(
  prices: readonly PriceInput[],
  field: string,
  tiersNeedBase = true,
): VariantPrice[] {
  const seen = new Set<string>();
  const out = prices.map((p, i) => {
    const currency_code = currencyCode(p.currency_code);
    const amount = assertAmount(p.amount, { field: `${field}[${i}].amount` });
    const min_quantity = p.min_quantity ?? 1;
    if (!Number.isSafeInteger(min_quantity) || min_quantity < 1)
      throw new AppError(PricingErrors.INVALID_PRICE, 'min_quantity must be a whole number >= 1', [
        { field: `${field}[${i}].min_quantity`, message: 'must be >= 1' },
      ]);
    const key = `${currency_code}:${min_quantity}`;
    if (seen.has(key))
      throw new AppError(
        PricingErrors.INVALID_PRICE,
        `Two prices for ${currency_code} at quantity ${min_quantity}`,
        [{ field: `${field}[${i}]`, message: 'duplicate currency_code and min_quantity' }],
      );
    seen.add(key);
    return { currency_code, amount, min_quantity };
  });
  if (tiersNeedBase)
    for (const p of out)
      if (p.min_quantity > 1 && !seen.has(`${p.currency_code}:1`))
        throw new AppError(
          PricingErrors.INVALID_PRICE,
          `A ${p.currency_code} tier needs a base price (min_quantity 1)`,
          [{ field, message: `add a ${p.currency_code} price with min_quantity 1` }],
        );
  return out;
}

/**
 * Replaces the base prices of many variants at once (catalog admin, CSV import, seed): validation
 * first, then one delete and batched inserts, and one `prices.updated` event.
 */
export async function setPricesForVariants(
  trx: Trx,
  entries: ReadonlyArray<{ variant_id: string; prices: readonly PriceInput[] }>,
): Promise<void> {
  if (entries.length === 0) return;
  const normalized = entries.map((e, i) => ({
    variant_id: e.variant_id,
    prices: normalizePrices(e.prices, entries.length === 1 ? 'prices' : `variants[${i}].prices`),
  }));
  const at = now();
  const ids = normalized.map((e) => e.variant_id);
  for (let i = 0; i < ids.length; i += 500)
    await trx
      .deleteFrom('variant_prices')
      .where('variant_id', 'in', ids.slice(i, i + 500))
      .execute();
  const rows = normalized.flatMap((e) =>
    e.prices.map((p) => ({ variant_id: e.variant_id, ...p, updated_at: at })),
  );
  // 5 columns a row: stay far below SQLite's 32k bound parameters and PostgreSQL's 65k.
  for (let i = 0; i < rows.length; i += 1000)
    await trx
      .insertInto('variant_prices')
      .values(rows.slice(i, i + 1000))
      .execute();
  await emit(trx, { topic: 'prices.updated', payload: { variant_ids: ids } });
}

/** Replaces one variant's base prices (all currencies and tiers). */
export async function setVariantPrices(
  trx: Trx,
  variantId: string,
  prices: readonly PriceInput[],
): Promise<VariantPrice[]> {
  await setPricesForVariants(trx, [{ variant_id: variantId, prices }]);
  return (await getVariantPrices(trx, [variantId])).get(variantId) ?? [];
}

export async function getVariantPrices(
  db: DbOrTrx,
  variantIds: readonly string[],
): Promise<Map<string, VariantPrice[]>> {
  const result = new Map<string, VariantPrice[]>();
  if (variantIds.length === 0) return result;
  const rows = await db
    .selectFrom('variant_prices')
    .select(['variant_id', 'currency_code', 'amount', 'min_quantity'])
    .where('variant_id', 'in', [...variantIds])
    .orderBy('variant_id')
    .orderBy('currency_code')
    .orderBy('min_quantity')
    .execute();
  for (const { variant_id, ...price } of rows) {
    const list = result.get(variant_id) ?? [];
    list.push(price);
    result.set(variant_id, list);
  }
  return result;
}

export interface ResolvePricesInput {
  variant_ids: readonly string[];
  /** The region decides the currency and tax; pass `region` instead when the caller already has it. */
  region_id?: string;
  region?: Region;
  customer_group_ids?: readonly string[];
  quantity?: number;
  /** ISO time for sale windows; now by default. */
  at?: string;
  /** The variant's tax class (from the catalog); variants missing here use the region's default rate. */
  tax_class_ids?: ReadonlyMap<string, string | null> | Readonly<Record<string, string | null>>;
}

export interface ResolvedPrice {
  variant_id: string;
  currency_code: string;
  /** Unit price to charge, in the region's basis (gross when tax_inclusive). */
  amount: number;
  /** Regular price; differs from amount when a sale applies. */
  original_amount: number;
  price_list_id: string | null;
  tax_rate_bp: number;
  tax_inclusive: boolean;
  amount_excl_tax: number;
  amount_incl_tax: number;
  tax_amount: number;
  original_amount_incl_tax: number;
  original_amount_excl_tax: number;
}

function taxClassOf(input: ResolvePricesInput, variantId: string): string | null {
  const classes = input.tax_class_ids;
  if (!classes) return null;
  return (
    (classes instanceof Map
      ? classes.get(variantId)
      : (classes as Record<string, string | null>)[variantId]) ?? null
  );
}

/**
 * The best applicable unit price of each variant for a region (its currency), a customer's groups,
 * a quantity and a moment, with tax computed. One SQL statement (plus one for the region unless the
 * caller passes it). Variants with no price in the region's currency are absent from the map.
 */
/** Base prices and active price-list prices of the variants: every page, cart and checkout reads it. */
const candidatePrices = prepared(
  (db, a: { ids: string[]; currency_code: string; quantity: number; at: string; groups: string[] }) => {
    const base = db
      .selectFrom('variant_prices as vp')
      .select([
        'vp.variant_id',
        'vp.amount',
        'vp.min_quantity',
        sql<string | null>`null`.as('price_list_id'),
        sql<string | null>`null`.as('price_list_type'),
      ])
      .where('vp.variant_id', 'in', a.ids)
      .where('vp.currency_code', '=', a.currency_code)
      .where('vp.min_quantity', '<=', a.quantity);
    const listed = db
      .selectFrom('price_list_prices as lp')
      .innerJoin('price_lists as l', 'l.id', 'lp.price_list_id')
      .select([
        'lp.variant_id',
        'lp.amount',
        'lp.min_quantity',
        'l.id as price_list_id',
        'l.type as price_list_type',
      ])
      .where('lp.variant_id', 'in', a.ids)
      .where('lp.currency_code', '=', a.currency_code)
      .where('lp.min_quantity', '<=', a.quantity)
      .where('l.status', '=', 'active')
      .where((eb) => eb.or([eb('l.starts_at', 'is', null), eb('l.starts_at', '<=', a.at)]))
      .where((eb) => eb.or([eb('l.ends_at', 'is', null), eb('l.ends_at', '>', a.at)]))
      .where((eb) => {
        const anyGroup = eb
          .selectFrom('price_list_customer_groups as g')
          .select('g.price_list_id')
          .whereRef('g.price_list_id', '=', 'l.id');
        const open = eb.not(eb.exists(anyGroup));
        if (a.groups.length === 0) return open;
        return eb.or([open, eb.exists(anyGroup.where('g.customer_group_id', 'in', a.groups))]);
      });
    return base.unionAll(listed as never);
  },
);

export async function resolvePrices(
  db: DbOrTrx,
  input: ResolvePricesInput,
): Promise<Map<string, ResolvedPrice>> {
  const result = new Map<string, ResolvedPrice>();
  const ids = [...new Set(input.variant_ids)];
  if (ids.length === 0) return result;
  const region = input.region ?? (await getRegion(db, input.region_id ?? ''));
  const quantity = Math.max(1, input.quantity ?? 1);
  const at = input.at ?? now();
  const groups = [...(input.customer_group_ids ?? [])];
  const currency_code = region.currency_code;

  const rows = await candidatePrices(db, { ids, currency_code, quantity, at, groups });

  const byVariant = new Map<string, PriceCandidate[]>();
  for (const row of rows) {
    const list = byVariant.get(row.variant_id) ?? [];
    list.push({
      amount: row.amount,
      min_quantity: row.min_quantity,
      price_list_id: row.price_list_id,
      price_list_type: row.price_list_type as PriceCandidate['price_list_type'],
    });
    byVariant.set(row.variant_id, list);
  }
  const tax_inclusive = region.tax_inclusive === 1;
  for (const variant_id of ids) {
    const best = pickBestPrice(byVariant.get(variant_id) ?? [], quantity);
    if (!best) continue;
    const tax_rate_bp = taxRateFor(region, taxClassOf(input, variant_id));
    const tax = calculateTax({ amount: best.amount, rate_bp: tax_rate_bp, tax_inclusive, currency_code });
    const original =
      best.original_amount === best.amount
        ? tax
        : calculateTax({ amount: best.original_amount, rate_bp: tax_rate_bp, tax_inclusive, currency_code });
    result.set(variant_id, {
      variant_id,
      currency_code,
      amount: best.amount,
      original_amount: best.original_amount,
      price_list_id: best.price_list_id,
      tax_rate_bp,
      tax_inclusive,
      ...tax,
      original_amount_incl_tax: original.amount_incl_tax,
      original_amount_excl_tax: original.amount_excl_tax,
    });
  }
  return result;
}

/**
 * The next moment an active price list starts or ends after `at`, or null: caches of resolved prices
 * should expire by then, because a sale starting changes prices without any write.
 */
export async function nextPriceChangeAt(db: DbOrTrx, at: string = now()): Promise<string | null> {
  const row = await db
    .selectFrom('price_lists')
    .select((eb) => [
      eb.fn.min(eb.case().when('starts_at', '>', at).then(eb.ref('starts_at')).end()).as('next_start'),
      eb.fn.min(eb.case().when('ends_at', '>', at).then(eb.ref('ends_at')).end()).as('next_end'),
    ])
    .where('status', '=', 'active')
    .executeTakeFirst();
  const candidates = [row?.next_start, row?.next_end].filter((v): v is string => typeof v === 'string');
  return candidates.length === 0 ? null : candidates.sort()[0]!;
}
