import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate } from '../../platform/money/index.js';
import {
  calculateLine,
  calculateTax,
  type PriceCandidate,
  pickBestPrice,
  sumLines,
} from './price-calculator.js';

const currencies = fc.constantFrom('eur', 'pln', 'usd', 'gbp', 'jpy', 'kwd', 'chf');
const amounts = fc.integer({ min: 0, max: 10_000_000_000 });
const rates = fc.oneof(
  fc.constantFrom(0, 500, 800, 1000, 2000, 2100, 2300, 2700),
  fc.integer({ min: 0, max: 10_000 }),
);

describe('calculateTax: worked examples', () => {
  it('tax-exclusive adds tax on top, rounding half up', () => {
    expect(
      calculateTax({ amount: 10000, rate_bp: 2300, tax_inclusive: false, currency_code: 'pln' }),
    ).toEqual({
      amount_excl_tax: 10000,
      tax_amount: 2300,
      amount_incl_tax: 12300,
    });
    // 1.250 KWD at 5 %: 62.5 fils → 63
    expect(
      calculateTax({ amount: 1250, rate_bp: 500, tax_inclusive: false, currency_code: 'kwd' }).tax_amount,
    ).toBe(63);
    // 999 JPY at 8 %: 79.92 → 80 yen
    expect(
      calculateTax({ amount: 999, rate_bp: 800, tax_inclusive: false, currency_code: 'jpy' }).tax_amount,
    ).toBe(80);
  });

  it('tax-inclusive extracts tax from the gross price', () => {
    expect(calculateTax({ amount: 12300, rate_bp: 2300, tax_inclusive: true, currency_code: 'pln' })).toEqual(
      {
        amount_excl_tax: 10000,
        tax_amount: 2300,
        amount_incl_tax: 12300,
      },
    );
    // ¥1,000 incl. 10 %: 90.909… → 91, net 909
    expect(calculateTax({ amount: 1000, rate_bp: 1000, tax_inclusive: true, currency_code: 'jpy' })).toEqual({
      amount_excl_tax: 909,
      tax_amount: 91,
      amount_incl_tax: 1000,
    });
    // €19.99 incl. 21 %: 3.469… → 3.47
    expect(
      calculateTax({ amount: 1999, rate_bp: 2100, tax_inclusive: true, currency_code: 'eur' }).tax_amount,
    ).toBe(347);
    // 1 cent incl. 23 %: 0.187 → 0
    expect(
      calculateTax({ amount: 1, rate_bp: 2300, tax_inclusive: true, currency_code: 'eur' }).tax_amount,
    ).toBe(0);
  });

  it('refuses fractional amounts and negative rates', () => {
    expect(() =>
      calculateTax({ amount: 1.5, rate_bp: 0, tax_inclusive: true, currency_code: 'eur' }),
    ).toThrow(RangeError);
    expect(() => calculateTax({ amount: 1, rate_bp: -1, tax_inclusive: true, currency_code: 'eur' })).toThrow(
      RangeError,
    );
    expect(() => calculateTax({ amount: 1, rate_bp: 0, tax_inclusive: true, currency_code: 'xxx' })).toThrow(
      /Unknown currency/,
    );
  });
});

describe('calculateTax: properties', () => {
  it('never loses or invents a minor unit: net + tax = gross, in both modes', () => {
    fc.assert(
      fc.property(
        amounts,
        rates,
        fc.boolean(),
        currencies,
        (amount, rate_bp, tax_inclusive, currency_code) => {
          const r = calculateTax({ amount, rate_bp, tax_inclusive, currency_code });
          expect(r.amount_excl_tax + r.tax_amount).toBe(r.amount_incl_tax);
          expect(tax_inclusive ? r.amount_incl_tax : r.amount_excl_tax).toBe(amount);
          expect(Number.isInteger(r.tax_amount)).toBe(true);
          expect(r.tax_amount).toBeGreaterThanOrEqual(0);
          expect(r.amount_excl_tax).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rounds the tax to within half a minor unit of the exact rational value', () => {
    fc.assert(
      fc.property(
        amounts,
        rates,
        fc.boolean(),
        currencies,
        (amount, rate_bp, tax_inclusive, currency_code) => {
          const { tax_amount } = calculateTax({ amount, rate_bp, tax_inclusive, currency_code });
          // exact = amount·r / 10000 (exclusive) or amount·r / (10000 + r) (inclusive); compare in integers.
          const num = BigInt(amount) * BigInt(rate_bp);
          const den = BigInt(tax_inclusive ? 10_000 + rate_bp : 10_000);
          const diff2 = 2n * (BigInt(tax_amount) * den - num);
          expect(diff2 <= den && diff2 > -den).toBe(true); // -0.5 < tax - exact <= 0.5 (half up)
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is monotonic: a higher price never carries less tax', () => {
    fc.assert(
      fc.property(
        amounts,
        amounts,
        rates,
        fc.boolean(),
        currencies,
        (a, b, rate_bp, tax_inclusive, currency_code) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const t = (amount: number) => calculateTax({ amount, rate_bp, tax_inclusive, currency_code });
          expect(t(lo).tax_amount).toBeLessThanOrEqual(t(hi).tax_amount);
          expect(t(lo).amount_excl_tax).toBeLessThanOrEqual(t(hi).amount_excl_tax);
        },
      ),
    );
  });

  it('a zero rate means no tax', () => {
    fc.assert(
      fc.property(amounts, fc.boolean(), currencies, (amount, tax_inclusive, currency_code) => {
        expect(calculateTax({ amount, rate_bp: 0, tax_inclusive, currency_code })).toEqual({
          amount_excl_tax: amount,
          amount_incl_tax: amount,
          tax_amount: 0,
        });
      }),
    );
  });

  it('inclusive and exclusive agree: re-adding tax to the extracted net gives back the gross within one unit', () => {
    fc.assert(
      fc.property(amounts, rates, currencies, (gross, rate_bp, currency_code) => {
        const net = calculateTax({
          amount: gross,
          rate_bp,
          tax_inclusive: true,
          currency_code,
        }).amount_excl_tax;
        const back = calculateTax({
          amount: net,
          rate_bp,
          tax_inclusive: false,
          currency_code,
        }).amount_incl_tax;
        expect(Math.abs(back - gross)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('calculateLine and sumLines', () => {
  it('rounds tax once per line, so line tax is within half a unit of exact for any quantity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 1000 }),
        rates,
        fc.boolean(),
        currencies,
        (unit_amount, quantity, rate_bp, tax_inclusive, currency_code) => {
          const line = calculateLine({ unit_amount, quantity, rate_bp, tax_inclusive, currency_code });
          expect(line.subtotal).toBe(unit_amount * quantity);
          expect(line.amount_excl_tax + line.tax_amount).toBe(line.amount_incl_tax);
          const whole = calculateTax({
            amount: unit_amount * quantity,
            rate_bp,
            tax_inclusive,
            currency_code,
          });
          expect(line.tax_amount).toBe(whole.tax_amount);
        },
      ),
    );
  });

  it('an order discount spread over lines with allocate keeps every total exact', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            unit_amount: fc.integer({ min: 1, max: 1_000_000 }),
            quantity: fc.integer({ min: 1, max: 20 }),
            rate_bp: rates,
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        currencies,
        (items, percent, tax_inclusive, currency_code) => {
          const subtotals = items.map((i) => i.unit_amount * i.quantity);
          const subtotal = subtotals.reduce((a, b) => a + b, 0);
          const discount = Math.floor((subtotal * percent) / 100);
          const shares = allocate(discount, subtotals);
          const lines = items.map((item, i) =>
            calculateLine({ ...item, tax_inclusive, currency_code, discount_amount: shares[i]! }),
          );
          const totals = sumLines(lines);
          expect(totals.subtotal).toBe(subtotal);
          expect(totals.discount_total).toBe(discount);
          expect(totals.total_excl_tax + totals.tax_total).toBe(totals.total_incl_tax);
          expect(tax_inclusive ? totals.total_incl_tax : totals.total_excl_tax).toBe(subtotal - discount);
          for (const line of lines) expect(line.total).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('refuses a discount larger than the line', () => {
    expect(() =>
      calculateLine({
        unit_amount: 100,
        quantity: 1,
        rate_bp: 0,
        tax_inclusive: true,
        currency_code: 'eur',
        discount_amount: 101,
      }),
    ).toThrow(RangeError);
  });
});

describe('pickBestPrice', () => {
  const base = (amount: number, min_quantity = 1): PriceCandidate => ({
    amount,
    min_quantity,
    price_list_id: null,
    price_list_type: null,
  });
  const list = (id: string, type: 'sale' | 'override', amount: number, min_quantity = 1): PriceCandidate => ({
    amount,
    min_quantity,
    price_list_id: id,
    price_list_type: type,
  });

  it('shows a sale with the regular price as the original', () => {
    expect(pickBestPrice([base(1000), list('sale', 'sale', 800)])).toEqual({
      amount: 800,
      original_amount: 1000,
      price_list_id: 'sale',
    });
  });

  it('ignores a sale that is not cheaper, and an override replaces the regular price', () => {
    expect(pickBestPrice([base(1000), list('sale', 'sale', 1200)])).toEqual({
      amount: 1000,
      original_amount: 1000,
      price_list_id: null,
    });
    expect(pickBestPrice([base(1000), list('b2b', 'override', 900)])).toEqual({
      amount: 900,
      original_amount: 900,
      price_list_id: 'b2b',
    });
    expect(pickBestPrice([base(1000), list('b2b', 'override', 900), list('sale', 'sale', 850)])).toEqual({
      amount: 850,
      original_amount: 900,
      price_list_id: 'sale',
    });
  });

  it('applies quantity tiers only from their minimum quantity', () => {
    const tiers = [base(1000), base(900, 10), base(800, 50)];
    expect(pickBestPrice(tiers, 1)?.amount).toBe(1000);
    expect(pickBestPrice(tiers, 10)?.amount).toBe(900);
    expect(pickBestPrice(tiers, 49)?.amount).toBe(900);
    expect(pickBestPrice(tiers, 50)?.amount).toBe(800);
    expect(pickBestPrice([base(900, 10)], 1)).toBeUndefined();
  });

  it('always answers the minimum eligible amount, never above the original', () => {
    const candidate = fc.record({
      amount: fc.integer({ min: 0, max: 100_000 }),
      min_quantity: fc.integer({ min: 1, max: 20 }),
      price_list_id: fc.constantFrom(null, 'a', 'b'),
      price_list_type: fc.constantFrom(null, 'sale' as const, 'override' as const),
    });
    fc.assert(
      fc.property(
        fc.array(candidate, { maxLength: 12 }),
        fc.integer({ min: 1, max: 25 }),
        (candidates, quantity) => {
          const eligible = candidates.filter((c) => c.min_quantity <= quantity);
          const best = pickBestPrice(candidates, quantity);
          if (eligible.length === 0) {
            expect(best).toBeUndefined();
            return;
          }
          expect(best!.amount).toBe(Math.min(...eligible.map((c) => c.amount)));
          expect(best!.amount).toBeLessThanOrEqual(best!.original_amount);
        },
      ),
    );
  });
});
