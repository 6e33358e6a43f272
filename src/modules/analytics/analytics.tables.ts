import type { Timestamp } from '../../platform/db/time.js';

/** Session-scoped dimensions every fact carries, so any KPI can be broken down by them. */
export interface DimensionColumns {
  region_id: string;
  device_class: string;
  utm_source: string;
  utm_medium: string;
  customer_group: string;
}

/** Raw behaviour events (GA4 names). Partitioned by month of `occurred_at` on PostgreSQL. */
export interface AnalyticsEventTable extends DimensionColumns {
  id: string;
  occurred_at: Timestamp;
  received_at: Timestamp;
  name: string;
  visitor_id: string | null;
  session_id: string | null;
  client_session_id: string | null;
  customer_id: string | null;
  channel_id: string;
  page: string | null;
  referrer: string | null;
  utm_campaign: string | null;
  currency_code: string | null;
  value: number | null;
  /** JSON text: [{ item_id, item_variant, item_name, item_category, price, quantity }]. */
  items: string | null;
  search_term: string | null;
  search_results: number | null;
  order_id: string | null;
}

export interface AnalyticsSessionTable extends DimensionColumns {
  id: string;
  visitor_id: string;
  customer_id: string | null;
  started_at: Timestamp;
  last_event_at: Timestamp;
  /** Store-local date the session belongs to (it ends at local midnight). */
  local_date: string;
  event_count: number;
  landing_page: string | null;
  is_first: number;
  has_view_item: number;
  has_add_to_cart: number;
  has_begin_checkout: number;
  has_purchase: number;
}

export interface AnalyticsVisitorTable {
  visitor_id: string;
  customer_id: string | null;
  first_seen_at: Timestamp;
  last_event_at: Timestamp;
  last_session_id: string;
  last_session_started_at: Timestamp;
  last_local_date: string;
}

export interface AnalyticsOrderTable extends DimensionColumns {
  order_id: string;
  /** The buyer for repeat-purchase figures: the customer id, else the visitor id. */
  buyer_key: string | null;
  event_id: string;
  order_number: string | null;
  customer_id: string | null;
  visitor_id: string | null;
  session_id: string | null;
  cart_id: string | null;
  currency_code: string;
  total: number;
  subtotal: number;
  discount_total: number;
  tax_total: number;
  shipping_total: number;
  placed_at: Timestamp;
}

export interface AnalyticsOrderItemTable {
  order_id: string;
  line: number;
  product_id: string;
  variant_id: string | null;
  quantity: number;
  unit_price: number;
  placed_at: Timestamp;
}

export interface AnalyticsRefundTable extends DimensionColumns {
  event_id: string;
  order_id: string;
  amount: number;
  currency_code: string;
  refunded_at: Timestamp;
}

export interface AnalyticsCartTable extends DimensionColumns {
  cart_id: string;
  customer_id: string | null;
  visitor_id: string | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface AnalyticsProductTable {
  product_id: string;
  name: string | null;
  category: string | null;
  updated_at: Timestamp;
}

/** What is kept for shoppers without analytics consent: counts, no identifiers. */
export interface AnalyticsCookielessCountTable {
  bucket: Timestamp;
  name: string;
  device_class: string;
  count: number;
}

export interface RollupMetricColumns {
  sessions: number;
  new_sessions: number;
  purchase_sessions: number;
  /** Nested funnel: sessions with view_item; with view_item and add_to_cart; … and begin_checkout; … and a purchase. */
  funnel_view: number;
  funnel_cart: number;
  funnel_checkout: number;
  funnel_purchase: number;
  begin_checkout_sessions: number;
  /** Sessions with begin_checkout that also purchased. */
  checkout_purchase_sessions: number;
  page_views: number;
  view_item_events: number;
  add_to_cart_events: number;
  begin_checkout_events: number;
  search_events: number;
  orders: number;
  revenue: number;
  refunds: number;
  carts_created: number;
  carts_converted: number;
}

export interface RollupTable extends DimensionColumns, RollupMetricColumns {
  /** Hourly: the UTC hour start (ISO). Daily: the store-local date `YYYY-MM-DD`. */
  bucket: string;
}

/** Daily figures summed over every dimension: what unfiltered reports read. */
export interface RollupTotalsTable extends RollupMetricColumns {
  bucket: string;
}

export interface ProductTotalsTable {
  bucket: string;
  product_id: string;
  views: number;
  add_to_carts: number;
  orders: number;
  units: number;
  revenue: number;
}

export interface SearchTotalsTable {
  bucket: string;
  term: string;
  searches: number;
  zero_results: number;
}

export interface ProductRollupTable extends DimensionColumns {
  bucket: string;
  product_id: string;
  views: number;
  add_to_carts: number;
  orders: number;
  units: number;
  revenue: number;
}

export interface SearchRollupTable extends DimensionColumns {
  bucket: string;
  term: string;
  searches: number;
  zero_results: number;
}

/** Hours whose raw data changed after (or while) they were rolled up; the job recomputes them. */
export interface DirtyHourTable {
  bucket: Timestamp;
  marked_at: Timestamp;
}

export interface RollupStateTable {
  name: string;
  value: string;
}

export interface RolledDayTable {
  day: string;
  computed_at: Timestamp;
}

/** Per store-local day: keys (visitors, buyers) that appeared, by the last earlier day they appeared. */
export interface KeyDayTable {
  kind: 'visitor' | 'buyer';
  bucket: string;
  /** '' when the key never appeared before. */
  prev_day: string;
  keys: number;
}

/** A buyer's first and second order in a currency (repeat purchase rate). */
export interface BuyerTable {
  currency_code: string;
  buyer_key: string;
  first_at: Timestamp;
  second_at: Timestamp | null;
}

export interface AnalyticsTables {
  analytics_events: AnalyticsEventTable;
  analytics_sessions: AnalyticsSessionTable;
  analytics_visitors: AnalyticsVisitorTable;
  analytics_orders: AnalyticsOrderTable;
  analytics_order_items: AnalyticsOrderItemTable;
  analytics_refunds: AnalyticsRefundTable;
  analytics_carts: AnalyticsCartTable;
  analytics_products: AnalyticsProductTable;
  analytics_cookieless_counts: AnalyticsCookielessCountTable;
  analytics_rollup_hourly: RollupTable;
  analytics_rollup_daily: RollupTable;
  analytics_rollup_products_hourly: ProductRollupTable;
  analytics_rollup_products_daily: ProductRollupTable;
  analytics_rollup_searches_hourly: SearchRollupTable;
  analytics_rollup_searches_daily: SearchRollupTable;
  analytics_rollup_daily_totals: RollupTotalsTable;
  analytics_rollup_products_daily_totals: ProductTotalsTable;
  analytics_rollup_searches_daily_totals: SearchTotalsTable;
  analytics_dirty_hours: DirtyHourTable;
  analytics_rollup_state: RollupStateTable;
  analytics_rolled_days: RolledDayTable;
  analytics_rollup_key_days: KeyDayTable;
  analytics_buyers: BuyerTable;
}
