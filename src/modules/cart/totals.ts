import { calculateLine, type LineTotals } from '../pricing/index.js';

/**
 * The one totals engine: every subtotal, discount, shipping, tax and total Stratus shows or charges
 * comes from here (carts, checkout and orders alike). Pure. Amounts are integer minor units in the
 * region's basis (gross when prices include tax); tax is rounded per line by the pricing calculator in
 * the currency's rounding mode, so every total is an exact sum of its lines.
 */
export interface TotalsLine {
  id: string;
  unit_price: number;
  quantity: number;
  tax_rate_bp: number;
}

export interface TotalsInput {
  currency_code: string;
  tax_inclusive: boolean;
  lines: readonly TotalsLine[];
  /** Discount per line id (from the discount engine), at most the line subtotal. */
  line_discounts: ReadonlyMap<string, number>;
  shipping_amount: number;
  shipping_discount: number;
  shipping_tax_rate_bp: number;
}

export interface CartTotals {
  /** Σ unit_price × quantity, before discounts. */
  subtotal: number;
  /** Item discounts plus the shipping discount. */
  discount_total: number;
  /** Shipping after its discount, in the region's basis. */
  shipping_total: number;
  tax_total: number;
  total_excl_tax: number;
  /** What the customer pays. */
  total: number;
  lines: Map<string, LineTotals>;
  shipping: LineTotals;
}

export function computeTotals(input: TotalsInput): CartTotals {
  const base = { tax_inclusive: input.tax_inclusive, currency_code: input.currency_code };
  const lines = new Map<string, LineTotals>();
  let subtotal = 0;
  let discount = 0;
  let tax = 0;
  let excl = 0;
  let incl = 0;
  for (const line of input.lines) {
    const totals = calculateLine({
      ...base,
      unit_amount: line.unit_price,
      quantity: line.quantity,
      rate_bp: line.tax_rate_bp,
      discount_amount: input.line_discounts.get(line.id) ?? 0,
    });
    lines.set(line.id, totals);
    subtotal += totals.subtotal;
    discount += totals.discount_amount;
    tax += totals.tax_amount;
    excl += totals.amount_excl_tax;
    incl += totals.amount_incl_tax;
  }
  const shipping = calculateLine({
    ...base,
    unit_amount: input.shipping_amount,
    quantity: 1,
    rate_bp: input.shipping_tax_rate_bp,
    discount_amount: Math.min(input.shipping_discount, input.shipping_amount),
  });
  return {
    subtotal,
    discount_total: discount + shipping.discount_amount,
    shipping_total: shipping.total,
    tax_total: tax + shipping.tax_amount,
    total_excl_tax: excl + shipping.amount_excl_tax,
    total: incl + shipping.amount_incl_tax,
    lines,
    shipping,
  };
}
