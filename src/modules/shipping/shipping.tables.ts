import type { Timestamp } from '../../platform/db/time.js';

export type ShippingPriceType = 'flat' | 'free_above' | 'weight_table';

/** A way to ship in one region, priced in the region's currency (its tax basis). */
export interface ShippingOptionTable {
  id: string;
  region_id: string;
  name: string;
  /** The fulfillment provider: `manual` or `courier`. */
  provider: string;
  price_type: ShippingPriceType;
  /** flat and free_above: the price; weight_table: the price above the last bracket (0 = not shippable). */
  amount: number;
  /** free_above: items subtotal (after discounts) from which shipping is free. */
  free_above: number | null;
  /** JSON [{ max_grams, amount }] ascending, for weight_table. */
  weight_table: string;
  active: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ShippingTables {
  shipping_options: ShippingOptionTable;
}
