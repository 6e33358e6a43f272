import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import type { Dimension } from './dimensions.js';
import { type DimensionFilter, emptyMetrics, METRICS, type Metrics } from './facts.js';
import { planReport } from './report-plan.js';
import {
  loadMetrics,
  loadProducts,
  loadRepeatBuyers,
  loadSearches,
  loadUsers,
  type ProductTotals,
} from './report-source.js';

/** A report range: `[from, to)` in ms, and the zone the caller reads it in. */
export interface ReportRange {
  from: number;
  to: number;
  timeZone: string;
}

export interface FunnelStep {
  step: 'view_item' | 'add_to_cart' | 'begin_checkout' | 'purchase';
  sessions: number;
  /** Share of the previous step's sessions that did not reach this step (null for the first step). */
  drop_off: number | null;
}

export interface Kpis {
  sessions: number;
  users: number;
  new_users: number;
  returning_users: number;
  conversion_rate: number | null;
  orders: number;
  gross_revenue: number;
  refunds: number;
  revenue: number;
  aov: number | null;
  cart_abandonment_rate: number | null;
  checkout_abandonment_rate: number | null;
  repeat_purchase_rate: number | null;
  carts_created: number;
  carts_converted: number;
  page_views: number;
  funnel: FunnelStep[];
}

export const KPI_NAMES = [
  'sessions',
  'users',
  'new_users',
  'returning_users',
  'conversion_rate',
  'orders',
  'gross_revenue',
  'refunds',
  'revenue',
  'aov',
  'cart_abandonment_rate',
  'checkout_abandonment_rate',
  'repeat_purchase_rate',
  'carts_created',
  'carts_converted',
  'page_views',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];

/** Ratios are rounded to 6 decimals so both dialects and both sources print the same figure. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 1e6) / 1e6;
}

export function kpisFrom(m: Metrics, users: number, repeat: { buyers: number; repeaters: number }): Kpis {
  const net = m.revenue - m.refunds;
  const steps: [FunnelStep['step'], number][] = [
    ['view_item', m.funnel_view],
    ['add_to_cart', m.funnel_cart],
    ['begin_checkout', m.funnel_checkout],
    ['purchase', m.funnel_purchase],
  ];
  return {
    sessions: m.sessions,
    users,
    new_users: m.new_sessions,
    returning_users: users - m.new_sessions,
    conversion_rate: ratio(m.purchase_sessions, m.sessions),
    orders: m.orders,
    gross_revenue: m.revenue,
    refunds: m.refunds,
    revenue: net,
    aov: m.orders === 0 ? null : Math.round(net / m.orders),
    cart_abandonment_rate:
      m.carts_created === 0 ? null : ratio(m.carts_created - m.carts_converted, m.carts_created),
    checkout_abandonment_rate:
      m.begin_checkout_sessions === 0
        ? null
        : ratio(m.begin_checkout_sessions - m.checkout_purchase_sessions, m.begin_checkout_sessions),
    repeat_purchase_rate: ratio(repeat.repeaters, repeat.buyers),
    carts_created: m.carts_created,
    carts_converted: m.carts_converted,
    page_views: m.page_views,
    funnel: steps.map(([step, sessions], i) => ({
      step,
      sessions,
      drop_off:
        i === 0 ? null : steps[i - 1]![1] === 0 ? null : ratio(steps[i - 1]![1] - sessions, steps[i - 1]![1]),
    })),
  };
}

export async function computeKpis(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  filter: DimensionFilter = {},
): Promise<Kpis> {
  // One plan for the three readers, which then run at once.
  const plan = await planReport(db, range.from, range.to, settings, { allowDaily: true });
  const [metrics, users, repeat] = await Promise.all([
    loadMetrics(db, range.from, range.to, settings, filter, {}, plan),
    loadUsers(db, range.from, range.to, settings, filter, undefined, plan),
    loadRepeatBuyers(db, range.from, range.to, settings, filter, undefined, plan),
  ]);
  return kpisFrom(
    metrics[0]?.metrics ?? emptyMetrics(),
    users.get('') ?? 0,
    repeat.get('') ?? { buyers: 0, repeaters: 0 },
  );
}

export function previousRange(range: ReportRange): ReportRange {
  const length = range.to - range.from;
  return { from: range.from - length, to: range.from, timeZone: range.timeZone };
}

export type Change = Partial<Record<KpiName, number | null>>;

/** Relative change per KPI: (current − previous) ÷ previous; null when the previous value is 0 or absent. */
export function changeOf(current: Kpis, previous: Kpis): Change {
  const change: Change = {};
  for (const name of KPI_NAMES) {
    const c = current[name];
    const p = previous[name];
    change[name] = c === null || p === null || p === 0 ? null : ratio(c - p, p);
  }
  return change;
}

export async function kpisWithComparison(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  filter: DimensionFilter = {},
) {
  const [current, previous] = await Promise.all([
    computeKpis(db, range, settings, filter),
    computeKpis(db, previousRange(range), settings, filter),
  ]);
  return { current, previous, change: changeOf(current, previous) };
}

export async function breakdown(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  dimension: Dimension,
  filter: DimensionFilter = {},
): Promise<({ value: string } & Kpis)[]> {
  const [metrics, users, repeat] = await Promise.all([
    loadMetrics(db, range.from, range.to, settings, filter, { dimension }),
    loadUsers(db, range.from, range.to, settings, filter, dimension),
    loadRepeatBuyers(db, range.from, range.to, settings, filter, dimension),
  ]);
  const values = new Set([...metrics.map((m) => m.group), ...users.keys()]);
  return [...values]
    .sort()
    .map((value) => ({
      value,
      ...kpisFrom(
        metrics.find((m) => m.group === value)?.metrics ?? emptyMetrics(),
        users.get(value) ?? 0,
        repeat.get(value) ?? { buyers: 0, repeaters: 0 },
      ),
    }))
    .sort((a, b) => b.sessions - a.sessions || a.value.localeCompare(b.value));
}

export const SERIES_METRICS = [
  ...METRICS,
  'conversion_rate',
  'net_revenue',
  'aov',
  'cart_abandonment_rate',
  'checkout_abandonment_rate',
] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

function seriesValue(m: Metrics, metric: SeriesMetric): number | null {
  switch (metric) {
    case 'conversion_rate':
      return ratio(m.purchase_sessions, m.sessions);
    case 'net_revenue':
      return m.revenue - m.refunds;
    case 'aov':
      return m.orders === 0 ? null : Math.round((m.revenue - m.refunds) / m.orders);
    case 'cart_abandonment_rate':
      return m.carts_created === 0 ? null : ratio(m.carts_created - m.carts_converted, m.carts_created);
    case 'checkout_abandonment_rate':
      return m.begin_checkout_sessions === 0
        ? null
        : ratio(m.begin_checkout_sessions - m.checkout_purchase_sessions, m.begin_checkout_sessions);
    default:
      return m[metric];
  }
}

/** One metric per hour (UTC hour start) or per day (date in the range's zone); empty buckets are left out. */
export async function timeSeries(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  metric: SeriesMetric,
  interval: 'hour' | 'day',
  filter: DimensionFilter = {},
  dimension?: Dimension,
): Promise<{ bucket: string; group: string; value: number | null }[]> {
  const rows = await loadMetrics(db, range.from, range.to, settings, filter, {
    dimension,
    time: { interval, timeZone: range.timeZone },
  });
  return rows
    .map((r) => ({ bucket: r.time, group: r.group, value: seriesValue(r.metrics, metric) }))
    .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.group.localeCompare(b.group));
}

export interface ProductReport extends ProductTotals {
  name: string | null;
  category: string | null;
  add_to_cart_rate: number | null;
  purchase_rate: number | null;
}

export const PRODUCT_SORTS = ['views', 'add_to_cart_rate', 'purchase_rate', 'revenue', 'units'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

async function productReports(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
): Promise<ProductReport[]> {
  const totals = await loadProducts(db, range.from, range.to, settings, filter);
  const names = new Map<string, { name: string | null; category: string | null }>();
  const ids = totals.map((t) => t.product_id);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('analytics_products')
      .select(['product_id', 'name', 'category'])
      .where('product_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) names.set(r.product_id, r);
  }
  return totals.map((t) => ({
    ...t,
    name: names.get(t.product_id)?.name ?? null,
    category: names.get(t.product_id)?.category ?? null,
    add_to_cart_rate: ratio(t.add_to_carts, t.views),
    purchase_rate: ratio(t.orders, t.views),
  }));
}

export async function topProducts(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  sort: ProductSort,
  limit: number,
  filter: DimensionFilter = {},
): Promise<ProductReport[]> {
  const reports = await productReports(db, range, settings, filter);
  const value = (r: ProductReport) => r[sort] ?? -1;
  return reports
    .filter((r) => (sort === 'add_to_cart_rate' || sort === 'purchase_rate' ? r.views > 0 : true))
    .sort((a, b) => value(b) - value(a) || a.product_id.localeCompare(b.product_id))
    .slice(0, limit);
}

/** Products with at least `minViews` views, lowest purchase rate first (ties: most viewed first). */
export async function viewedNotBought(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  minViews: number,
  limit: number,
  filter: DimensionFilter = {},
): Promise<ProductReport[]> {
  const reports = await productReports(db, range, settings, filter);
  return reports
    .filter((r) => r.views >= minViews)
    .sort(
      (a, b) =>
        (a.purchase_rate ?? 0) - (b.purchase_rate ?? 0) ||
        b.views - a.views ||
        a.product_id.localeCompare(b.product_id),
    )
    .slice(0, limit);
}

export async function topCategories(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  limit: number,
  filter: DimensionFilter = {},
) {
  const reports = await productReports(db, range, settings, filter);
  const byCategory = new Map<
    string,
    { category: string; views: number; add_to_carts: number; orders: number; units: number; revenue: number }
  >();
  for (const r of reports) {
    const category = r.category ?? '(uncategorised)';
    const c = byCategory.get(category) ?? {
      category,
      views: 0,
      add_to_carts: 0,
      orders: 0,
      units: 0,
      revenue: 0,
    };
    c.views += r.views;
    c.add_to_carts += r.add_to_carts;
    c.orders += r.orders;
    c.units += r.units;
    c.revenue += r.revenue;
    byCategory.set(category, c);
  }
  return [...byCategory.values()]
    .sort((a, b) => b.revenue - a.revenue || b.views - a.views || a.category.localeCompare(b.category))
    .slice(0, limit);
}

export async function searchReport(
  db: Db,
  range: ReportRange,
  settings: AnalyticsSettings,
  limit: number,
  filter: DimensionFilter = {},
) {
  const terms = await loadSearches(db, range.from, range.to, settings, filter);
  const top = [...terms]
    .sort((a, b) => b.searches - a.searches || a.term.localeCompare(b.term))
    .slice(0, limit);
  const zero = terms
    .filter((t) => t.zero_results > 0)
    .sort((a, b) => b.zero_results - a.zero_results || a.term.localeCompare(b.term))
    .slice(0, limit);
  return { top, zero_results: zero };
}

export type { Dimension };
