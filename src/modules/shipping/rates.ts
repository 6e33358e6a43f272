import type { ShippingPriceType } from './shipping.tables.js';

export interface WeightBracket {
  max_grams: number;
  amount: number;
}

export interface ShippingRate {
  price_type: ShippingPriceType;
  amount: number;
  free_above: number | null;
  weight_table: WeightBracket[];
}

/**
 * The price of shipping a cart with `option`, pure. null when the option cannot ship it (heavier than
 * the last weight bracket of a table that has no price beyond it).
 */
export function shippingPrice(
  option: ShippingRate,
  cart: { subtotal: number; weight_grams: number },
): number | null {
  switch (option.price_type) {
    case 'flat':
      return option.amount;
    case 'free_above':
      return option.free_above !== null && cart.subtotal >= option.free_above ? 0 : option.amount;
    case 'weight_table': {
      const bracket = [...option.weight_table]
        .sort((a, b) => a.max_grams - b.max_grams)
        .find((b) => cart.weight_grams <= b.max_grams);
      if (bracket) return bracket.amount;
      return option.amount > 0 ? option.amount : null;
    }
  }
}
