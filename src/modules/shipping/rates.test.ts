import { describe, expect, it } from 'vitest';
import { shippingPrice } from './rates.js';

describe('shipping rates', () => {
  const table = [
    { max_grams: 1000, amount: 500 },
    { max_grams: 5000, amount: 900 },
  ];
  it('prices flat, free-above-threshold and weight-table options', () => {
    expect(
      shippingPrice(
        { price_type: 'flat', amount: 499, free_above: null, weight_table: [] },
        { subtotal: 1, weight_grams: 99_999 },
      ),
    ).toBe(499);
    const free = { price_type: 'free_above' as const, amount: 499, free_above: 5000, weight_table: [] };
    expect(shippingPrice(free, { subtotal: 4999, weight_grams: 0 })).toBe(499);
    expect(shippingPrice(free, { subtotal: 5000, weight_grams: 0 })).toBe(0);
    const weights = { price_type: 'weight_table' as const, amount: 0, free_above: null, weight_table: table };
    expect(shippingPrice(weights, { subtotal: 0, weight_grams: 1000 })).toBe(500);
    expect(shippingPrice(weights, { subtotal: 0, weight_grams: 1001 })).toBe(900);
    expect(shippingPrice(weights, { subtotal: 0, weight_grams: 5001 })).toBeNull();
    expect(shippingPrice({ ...weights, amount: 1500 }, { subtotal: 0, weight_grams: 9000 })).toBe(1500);
  });
});
