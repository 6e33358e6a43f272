import { BASIS_POINTS, currency, divideRounded } from '../../platform/money/index.js';

/**
 * The pure price and tax arithmetic: no I/O, no clock. Everything is integer minor units and basis
 * points; each rounding happens once, in the currency's mode (see src/platform/money), and every
 * result keeps `excl + tax = incl` exactly, so no minor unit is ever lost or invented.
 *
 * Tax is rounded per line (on unit price × quantity, after the line's discount), not per unit: that is
 * what EU VAT and most sales-tax regimes allow, and it keeps line totals exact for any quantity.
 */
export interface TaxInput {
  /** Minor units in the region's basis: gross when `tax_inclusive`, net otherwise. */
  amount: number;
  rate_bp: number;
  tax_inclusive: boolean;
  currency_code: string;
}

export interface TaxBreakdown {
  amount_excl_tax: number;
  amount_incl_tax: number;
  tax_amount: number;
}

function check(amount: number, rate: number): void {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be an integer, got ${amount}`);
  if (!Number.isSafeInteger(rate) || rate < 0)
    throw new RangeError(`rate_bp must be a non-negative integer, got ${rate}`);
}

/**
 * Splits `amount` into net, tax and gross. Inclusive: tax = amount × r / (1 + r), net = amount − tax.
 * Exclusive: tax = amount × r, gross = amount + tax.
 *
 * @example calculateTax({ amount: 12300, rate_bp: 2300, tax_inclusive: true, currency_code: 'pln' })
 *   // → { amount_excl_tax: 10000, tax_amount: 2300, amount_incl_tax: 12300 }
 */
export function calculateTax(input: TaxInput): TaxBreakdown {
  check(input.amount, input.rate_bp);
  const { rounding } = currency(input.currency_code);
  const rate = BigInt(input.rate_bp);
  const amount = BigInt(input.amount);
  if (input.tax_inclusive) {
    const tax = divideRounded(amount * rate, BigInt(BASIS_POINTS) + rate, rounding);
    return { amount_excl_tax: input.amount - tax, amount_incl_tax: input.amount, tax_amount: tax };
  }
  const tax = divideRounded(amount * rate, BASIS_POINTS, rounding);
  return { amount_excl_tax: input.amount, amount_incl_tax: input.amount + tax, tax_amount: tax };
}

export interface LineInput {
  unit_amount: number;
  quantity: number;
  rate_bp: number;
  tax_inclusive: boolean;
  currency_code: string;
  /** Discount on the whole line, same basis as unit_amount; at most the line subtotal. */
  discount_amount?: number;
}

export interface LineTotals extends TaxBreakdown {
  unit_amount: number;
  quantity: number;
  /** unit_amount × quantity. */
  subtotal: number;
  discount_amount: number;
  /** subtotal − discount, in the region's basis (what the customer pays when tax-inclusive). */
  total: number;
}

export function calculateLine(line: LineInput): LineTotals {
  if (!Number.isSafeInteger(line.quantity) || line.quantity < 0)
    throw new RangeError(`quantity must be a non-negative integer, got ${line.quantity}`);
  const subtotal = line.unit_amount * line.quantity;
  if (!Number.isSafeInteger(subtotal)) throw new RangeError('line subtotal exceeds the safe integer range');
  const discount = line.discount_amount ?? 0;
  if (!Number.isSafeInteger(discount) || discount < 0 || discount > Math.max(subtotal, 0))
    throw new RangeError(`discount_amount must be between 0 and the subtotal, got ${discount}`);
  const total = subtotal - discount;
  return {
    unit_amount: line.unit_amount,
    quantity: line.quantity,
    subtotal,
    discount_amount: discount,
    total,
    ...calculateTax({
      amount: total,
      rate_bp: line.rate_bp,
      tax_inclusive: line.tax_inclusive,
      currency_code: line.currency_code,
    }),
  };
}

export interface Totals {
  subtotal: number;
  discount_total: number;
  total_excl_tax: number;
  tax_total: number;
  total_incl_tax: number;
}

/** Sums line totals; every field is an exact sum, so totals always equal the sum of the lines. */
export function sumLines(lines: readonly LineTotals[]): Totals {
  const totals: Totals = {
    subtotal: 0,
    discount_total: 0,
    total_excl_tax: 0,
    tax_total: 0,
    total_incl_tax: 0,
  };
  for (const line of lines) {
    totals.subtotal += line.subtotal;
    totals.discount_total += line.discount_amount;
    totals.total_excl_tax += line.amount_excl_tax;
    totals.tax_total += line.tax_amount;
    totals.total_incl_tax += line.amount_incl_tax;
  }
  return totals;
}

export interface PriceCandidate {
  amount: number;
  min_quantity: number;
  /** null for the variant's base price. */
  price_list_id: string | null;
  price_list_type: 'sale' | 'override' | null;
}

export interface BestPrice {
  amount: number;
  /** The price before a sale; equal to `amount` when no sale applies. */
  original_amount: number;
  price_list_id: string | null;
}

/**
 * The best applicable price among candidates already filtered to the currency, the date, the
 * customer's groups and `min_quantity <= quantity`: the lowest amount. Base prices and `override` lists
 * set the regular price; a `sale` list only lowers it and keeps the regular price as the original.
 * Returns undefined when there is no candidate.
 */
export function pickBestPrice(candidates: readonly PriceCandidate[], quantity = 1): BestPrice | undefined {
  let regular: PriceCandidate | undefined;
  let sale: PriceCandidate | undefined;
  for (const c of candidates) {
    if (c.min_quantity > quantity) continue;
    if (c.price_list_type === 'sale') {
      if (!sale || c.amount < sale.amount) sale = c;
    } else if (
      !regular ||
      c.amount < regular.amount ||
      (c.amount === regular.amount && c.price_list_id === null)
    ) {
      regular = c;
    }
  }
  if (!regular && !sale) return undefined;
  if (sale && (!regular || sale.amount < regular.amount))
    return {
      amount: sale.amount,
      original_amount: regular?.amount ?? sale.amount,
      price_list_id: sale.price_list_id,
    };
  return { amount: regular!.amount, original_amount: regular!.amount, price_list_id: regular!.price_list_id };
}
