import type { Timestamp } from '../../platform/db/time.js';

/** A base price: one per variant and currency at min_quantity 1, plus optional quantity tiers. */
export interface VariantPriceTable {
  variant_id: string;
  currency_code: string;
  min_quantity: number;
  /** Integer minor units of currency_code, in the region's pricing basis (gross when tax-inclusive). */
  amount: number;
  updated_at: Timestamp;
}

export type PriceListType = 'sale' | 'override';
export type PriceListStatus = 'active' | 'draft';

/**
 * A set of prices that apply over a window and/or to customer groups. A `sale` list shows the base
 * price as the original (struck-through) price; an `override` list (contract or B2B prices) replaces it.
 */
export interface PriceListTable {
  id: string;
  name: string;
  description: string | null;
  type: PriceListType;
  status: PriceListStatus;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A list with no groups applies to everyone; with groups, only to customers in one of them. */
export interface PriceListCustomerGroupTable {
  price_list_id: string;
  customer_group_id: string;
}

export interface PriceListPriceTable {
  price_list_id: string;
  variant_id: string;
  currency_code: string;
  min_quantity: number;
  amount: number;
}

export interface PricingTables {
  variant_prices: VariantPriceTable;
  price_lists: PriceListTable;
  price_list_customer_groups: PriceListCustomerGroupTable;
  price_list_prices: PriceListPriceTable;
}
