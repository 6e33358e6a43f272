import type { Timestamp } from '../../platform/db/time.js';
import type { PromotionKind } from './engine.js';

export interface PromotionTable {
  id: string;
  /** Upper case; null for automatic promotions. */
  code: string | null;
  kind: PromotionKind;
  value: number;
  currency_code: string | null;
  /** JSON PromotionConditions. */
  conditions: string;
  buy_quantity: number | null;
  get_quantity: number | null;
  max_applications: number | null;
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  usage_limit: number | null;
  usage_count: number;
  per_customer_limit: number | null;
  stacking: 'exclusive' | 'combinable';
  priority: number;
  active: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One redemption of a promotion by one order; the per-customer limit counts these. */
export interface PromotionUsageTable {
  id: string;
  promotion_id: string;
  /** Customer id, or `email:<address>` for guests. */
  customer_key: string | null;
  order_id: string;
  created_at: Timestamp;
}

export interface DiscountsTables {
  promotions: PromotionTable;
  promotion_usages: PromotionUsageTable;
}
