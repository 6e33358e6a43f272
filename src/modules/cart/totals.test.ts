import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPromotions, type Promotion } from '../discounts/engine.js';
import { computeTotals } from './totals.js';

const promotion = (p: Partial<Promotion>): Promotion => ({
  id: 'p',
  code: null,
  kind: 'percentage',
  value: 0,
  currency_code: null,
  conditions: {},
  starts_at: null,
  ends_at: null,
  usage_limit: null,
  usage_count: 0,
  per_customer_limit: null,
  stacking: 'combinable',
  priority: 0,
  active: true,
  ...p,
});

describe('totals engine', () => {
  it('splits a tax-inclusive cart exactly', () => {
    const totals = computeTotals({
      currency_code: 'eur',
      tax_inclusive: true,
      lines: [{ id: 'a', unit_price: 1999, quantity: 2, tax_rate_bp: 2100 }],
      line_discounts: new Map([['a', 400]]),
      shipping_amount: 499,
      shipping_discount: 0,
      shipping_tax_rate_bp: 2100,
    });
    // 3598 gross: tax 624.45 → 624; shipping 499: 86.6 → 87
    expect(totals).toMatchObject({
      subtotal: 3998,
      discount_total: 400,
      shipping_total: 499,
      tax_total: 711,
      total: 4097,
    });
    expect(totals.total_excl_tax + totals.tax_total).toBe(totals.total);
  });

  it('adds tax on top in a tax-exclusive region', () => {
    const totals = computeTotals({
      currency_code: 'usd',
      tax_inclusive: false,
      lines: [{ id: 'a', unit_price: 1000, quantity: 3, tax_rate_bp: 825 }],
      line_discounts: new Map(),
      shipping_amount: 500,
      shipping_discount: 500,
      shipping_tax_rate_bp: 825,
    });
    // 3000 × 8.25 % = 247.5 → 248; free shipping
    expect(totals).toMatchObject({
      subtotal: 3000,
      discount_total: 500,
      shipping_total: 0,
      tax_total: 248,
      total: 3248,
    });
  });

  it('stays consistent over random carts × regions × discounts (property)', () => {
    const region = fc.record({
      currency_code: fc.constantFrom('eur', 'usd', 'jpy', 'pln', 'kwd'),
      tax_inclusive: fc.boolean(),
      rate: fc.integer({ min: 0, max: 2700 }),
    });
    const line = fc.record({
      unit_price: fc.integer({ min: 0, max: 5_000_000 }),
      quantity: fc.integer({ min: 1, max: 50 }),
      rate: fc.integer({ min: 0, max: 2700 }),
    });
    const promo = fc.record({
      kind: fc.constantFrom('percentage', 'fixed', 'free_shipping', 'buy_x_get_y') as fc.Arbitrary<
        Promotion['kind']
      >,
      value: fc.integer({ min: 1, max: 10_000 }),
      stacking: fc.constantFrom('exclusive', 'combinable') as fc.Arbitrary<Promotion['stacking']>,
      priority: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        region,
        fc.array(line, { minLength: 1, maxLength: 8 }),
        fc.array(promo, { maxLength: 3 }),
        fc.integer({ min: 0, max: 20_000 }),
        (r, ls, ps, shipping) => {
          const lines = ls.map((l, i) => ({
            id: `l${i}`,
            unit_price: l.unit_price,
            quantity: l.quantity,
            tax_rate_bp: l.rate,
          }));
          const discounts = applyPromotions(
            ps.map((p, i) =>
              promotion({
                id: `p${i}`,
                ...p,
                currency_code: r.currency_code,
                buy_quantity: 2,
                get_quantity: 1,
              }),
            ),
            {
              lines: lines.map((l) => ({
                ...l,
                variant_id: l.id,
                product_id: l.id,
                category_ids: [],
                collection_ids: [],
              })),
              currency_code: r.currency_code,
              shipping_amount: shipping,
              codes: [],
              customer_group_ids: [],
              customer_usage: new Map(),
              customer_known: false,
              at: '2026-11-26T00:00:00.000Z',
            },
          );
          const t = computeTotals({
            currency_code: r.currency_code,
            tax_inclusive: r.tax_inclusive,
            lines,
            line_discounts: discounts.line_discounts,
            shipping_amount: shipping,
            shipping_discount: discounts.shipping_discount,
            shipping_tax_rate_bp: r.rate,
          });
          for (const value of [
            t.subtotal,
            t.discount_total,
            t.shipping_total,
            t.tax_total,
            t.total,
            t.total_excl_tax,
          ]) {
            expect(Number.isSafeInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
          }
          expect(t.total_excl_tax + t.tax_total).toBe(t.total);
          const net = t.subtotal - t.discount_total + shipping;
          // Inclusive: what was priced is what is paid; exclusive: tax comes on top of it.
          expect(r.tax_inclusive ? t.total : t.total_excl_tax).toBe(net);
          let lineSum = t.shipping.amount_incl_tax;
          for (const l of lines) {
            const lt = t.lines.get(l.id)!;
            lineSum += lt.amount_incl_tax;
            const base = BigInt(lt.total) * BigInt(l.tax_rate_bp);
            const exact = r.tax_inclusive ? Number(base) / (10_000 + l.tax_rate_bp) : Number(base) / 10_000;
            expect(Math.abs(lt.tax_amount - exact)).toBeLessThanOrEqual(1);
          }
          expect(lineSum).toBe(t.total);
        },
      ),
      { numRuns: 400 },
    );
  });
});
