import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../http/errors.js';
import {
  allocate,
  currencies,
  currency,
  divideRounded,
  formatMoney,
  fromMajor,
  percentOf,
  roundForCash,
  toMajor,
} from './index.js';

describe('currencies', () => {
  it('knows the minor units of the currencies the store must handle', () => {
    expect(
      Object.fromEntries(['EUR', 'pln', 'usd', 'gbp', 'jpy', 'kwd'].map((c) => [c, currency(c).minor_units])),
    ).toEqual({ EUR: 2, pln: 2, usd: 2, gbp: 2, jpy: 0, kwd: 3 });
    expect(currency('EUR').code).toBe('eur');
    expect(currencies().length).toBeGreaterThan(20);
  });

  it('rejects an unknown code with UNKNOWN_CURRENCY (400)', () => {
    for (const code of ['xxx', 'EURO', '', 'eu']) {
      const error = (() => {
        try {
          currency(code);
        } catch (e) {
          return e;
        }
      })() as AppError;
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe('UNKNOWN_CURRENCY');
      expect(error.status).toBe(400);
    }
  });
});

describe('divideRounded', () => {
  it('rounds each mode as documented, for both signs', () => {
    const cases: Array<[number, number, string, number]> = [
      [5, 2, 'half_up', 3],
      [-5, 2, 'half_up', -3],
      [5, 2, 'half_even', 2],
      [7, 2, 'half_even', 4],
      [-7, 2, 'half_even', -4],
      [5, 2, 'down', 2],
      [-5, 2, 'down', -2],
      [5, 2, 'up', 3],
      [-5, 2, 'up', -3],
      [4, 3, 'half_up', 1],
      [5, 3, 'half_up', 2],
      [6, 3, 'up', 2],
      [5, -2, 'half_up', -3],
    ];
    for (const [n, d, mode, expected] of cases)
      expect(divideRounded(n, d, mode as 'half_up'), `${n}/${d} ${mode}`).toBe(expected);
    expect(() => divideRounded(1, 0)).toThrow(RangeError);
  });

  it('is within half a unit of the exact quotient, and exact when it divides', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.integer({ min: 1, max: 1e6 }),
        fc.constantFrom('half_up', 'half_even', 'down', 'up' as const),
        (n, d, mode) => {
          const q = divideRounded(n, d, mode);
          const error = Math.abs(q * d - n);
          expect(error).toBeLessThan(d);
          if (mode === 'half_up' || mode === 'half_even') expect(2 * error).toBeLessThanOrEqual(d);
          expect(divideRounded(n * 1, 1, mode)).toBe(n);
          expect(divideRounded(q * d, d, mode)).toBe(q);
        },
      ),
    );
  });

  it('uses BigInt so amount × rate beyond 2^53 stays exact', () => {
    expect(percentOf(9_000_000_000_000, 2300)).toBe(2_070_000_000_000);
    expect(percentOf(Number.MAX_SAFE_INTEGER, 10_000)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('percentOf', () => {
  it('computes basis points with commercial rounding', () => {
    expect(percentOf(1000, 2300)).toBe(230);
    expect(percentOf(1, 5000)).toBe(1); // 0.5 → 1
    expect(percentOf(1, 5000, 'half_even')).toBe(0);
    expect(percentOf(333, 800)).toBe(27); // 26.64
  });
});

describe('allocate', () => {
  it('splits without losing or inventing a minor unit', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(5, [0, 1])).toEqual([0, 5]);
    expect(allocate(-100, [1, 1, 1])).toEqual([-34, -33, -33]);
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc
          .array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 })
          .filter((r) => r.some((x) => x > 0)),
        (amount, ratios) => {
          const parts = allocate(amount, ratios);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
          const total = ratios.reduce((a, b) => a + b, 0);
          parts.forEach((part, i) => {
            expect(Math.abs(part - (amount * ratios[i]!) / total)).toBeLessThan(1);
            if (ratios[i] === 0) expect(part).toBe(0);
          });
        },
      ),
    );
  });
});

describe('major units', () => {
  it('parses decimals exactly per currency precision', () => {
    expect(fromMajor('261.96', 'usd')).toBe(26196);
    expect(fromMajor(0.1 + 0.2, 'eur')).toBe(30);
    expect(fromMajor('1999', 'jpy')).toBe(1999);
    expect(fromMajor('1.5', 'jpy')).toBe(2);
    expect(fromMajor('1.2345', 'kwd')).toBe(1235);
    expect(fromMajor('1.2345', 'kwd', 'half_even')).toBe(1234);
    expect(fromMajor('-3.10', 'gbp')).toBe(-310);
    expect(() => fromMajor('1.234', 'eur', 'exact')).toThrow(/more decimals/);
    expect(() => fromMajor('12,50', 'eur')).toThrow(AppError);
    expect(() => fromMajor('1e3', 'eur')).toThrow(AppError);
  });

  it('round-trips minor → major → minor for every currency', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e13, max: 1e13 }),
        fc.constantFrom(...currencies().map((c) => c.code)),
        (amount, code) => {
          const text = toMajor(amount, code);
          expect(fromMajor(text, code, 'exact')).toBe(amount);
          const decimals = text.split('.')[1]?.length ?? 0;
          expect(decimals).toBe(currency(code).minor_units);
        },
      ),
    );
    expect(toMajor(5, 'eur')).toBe('0.05');
    expect(toMajor(-5, 'kwd')).toBe('-0.005');
    expect(toMajor(1999, 'jpy')).toBe('1999');
  });

  it('formats for display and rounds for cash', () => {
    expect(formatMoney(1999, 'eur')).toBe('€19.99');
    expect(formatMoney(1999, 'jpy')).toBe('¥1,999');
    expect(formatMoney(1250, 'kwd')).toContain('1.250');
    expect(roundForCash(1002, 'chf')).toBe(1000);
    expect(roundForCash(1003, 'chf')).toBe(1005);
    expect(roundForCash(1003, 'eur')).toBe(1003);
  });
});
