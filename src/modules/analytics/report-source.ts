import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { DIMENSIONS, type Dimension } from './dimensions.js';
import { countDistinctKeys, countOneTimeBuyers, type KeyKind } from './distinct-keys.js';
import {
  computeFacts,
  type DimensionFilter,
  emptyMetrics,
  METRICS,
  type Metrics,
  PRODUCT_METRICS,
  type ProductMetrics,
  SEARCH_METRICS,
  type SearchMetrics,
} from './facts.js';
import { planReport, type ReportPlan } from './report-plan.js';
import { iso, localDate } from './time-zone.js';

/** How to group additive facts: by one dimension (or none) and by a time bucket (or none). */
export interface Grouping {
  dimension?: Dimension | undefined;
  time?: { interval: 'hour' | 'day'; timeZone: string } | undefined;
}

export interface GroupedMetrics {
  group: string;
  time: string;
  metrics: Metrics;
}

function filterSql(filter: DimensionFilter): string {
  return DIMENSIONS.filter((d) => filter[d] !== undefined)
    .map((d) => ` and ${d} = ${quote(filter[d]!)}`)
    .join('');
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function timeKey(bucket: string, grouping: Grouping): string {
  if (!grouping.time) return '';
  if (grouping.time.interval === 'hour') return bucket;
  return localDate(Date.parse(bucket), grouping.time.timeZone);
}

function add(into: object, from: object, keys: readonly string[]): void {
  const target = into as Record<string, number>;
  const source = from as Record<string, unknown>;
  for (const k of keys) target[k] = (target[k] ?? 0) + Number(source[k] ?? 0);
}

/**
 * Sums the additive facts of `[from, to)` per group, reading daily rollups, hourly rollups and raw
 * data as the plan says. Rollup reads aggregate in SQL, so a 90-day range reads a few hundred rows.
 */
export async function loadMetrics(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
  grouping: Grouping,
  /** A plan made with `allowDaily: true`, when the caller already has one (ungrouped in time only). */
  given?: ReportPlan,
): Promise<GroupedMetrics[]> {
  const allowDaily =
    !grouping.time || (grouping.time.interval === 'day' && grouping.time.timeZone === settings.timeZone);
  const plan = given && !grouping.time ? given : await planReport(db, from, to, settings, { allowDaily });
  const out = new Map<string, GroupedMetrics>();
  const into = (group: string, time: string) => {
    const key = `${group}\u0001${time}`;
    let g = out.get(key);
    if (!g) {
      g = { group, time, metrics: emptyMetrics() };
      out.set(key, g);
    }
    return g.metrics;
  };
  const dim = grouping.dimension;
  const sums = METRICS.map((m) => `sum(${m}) as ${m}`).join(', ');
  const selectGroup = `${dim ? `${dim} as grp` : `'' as grp`}${grouping.time ? ', bucket' : ''}`;
  const groupBy = [dim, grouping.time ? 'bucket' : undefined].filter(Boolean).join(', ');
  const queries: { table: string; where: string }[] = [];
  if (plan.days.length > 0) {
    // Unfiltered, ungrouped reads use the one-row-per-day totals.
    const totals = !dim && Object.keys(filter).length === 0;
    queries.push({
      table: totals ? 'analytics_rollup_daily_totals' : 'analytics_rollup_daily',
      where: `bucket in (${plan.days.map(quote).join(', ')})`,
    });
  }
  if (plan.hourRuns.length > 0) {
    queries.push({
      table: 'analytics_rollup_hourly',
      where: `(${plan.hourRuns.map(([a, b]) => `(bucket >= ${quote(iso(a))} and bucket < ${quote(iso(b))})`).join(' or ')})`,
    });
  }
  // Every part at once (PostgreSQL runs them on pooled connections); the sums do not care in which order.
  const [rollupRows, rawFacts] = await Promise.all([
    Promise.all(
      queries.map((q) =>
        sql
          .raw<Record<string, unknown>>(
            `select ${selectGroup}, ${sums} from ${q.table} where ${q.where}${filterSql(filter)}${groupBy ? ` group by ${groupBy}` : ''}`,
          )
          .execute(db),
      ),
    ),
    Promise.all(
      plan.raw.map(([a, b]) =>
        computeFacts(db, iso(a), iso(b), settings.currency, filter, { products: false, searches: false }),
      ),
    ),
  ]);
  for (const [i, q] of queries.entries()) {
    const { rows } = rollupRows[i]!;
    for (const r of rows) {
      const bucket = String(r.bucket ?? '');
      const time = !grouping.time
        ? ''
        : q.table.startsWith('analytics_rollup_daily')
          ? bucket
          : timeKey(bucket, grouping);
      add(into(String(r.grp ?? ''), time), r, METRICS);
    }
  }
  for (const facts of rawFacts)
    for (const r of facts.main) add(into(dim ? r[dim] : '', timeKey(r.bucket, grouping)), r, METRICS);
  return [...out.values()];
}

export interface ProductTotals extends ProductMetrics {
  product_id: string;
}

export interface SearchTotals extends SearchMetrics {
  term: string;
}

async function loadKeyed<T extends Record<string, number>>(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
  kind: 'products' | 'searches',
): Promise<Map<string, T>> {
  const plan = await planReport(db, from, to, settings, { allowDaily: true });
  const key = kind === 'products' ? 'product_id' : 'term';
  const metrics = kind === 'products' ? PRODUCT_METRICS : SEARCH_METRICS;
  const out = new Map<string, T>();
  const into = (k: string) => {
    let t = out.get(k);
    if (!t) {
      t = {} as T;
      for (const m of metrics) (t as Record<string, number>)[m] = 0;
      out.set(k, t);
    }
    return t;
  };
  const sums = metrics.map((m) => `sum(${m}) as ${m}`).join(', ');
  const parts: [string, string][] = [];
  if (plan.days.length > 0) {
    const totals = Object.keys(filter).length === 0 ? '_totals' : '';
    parts.push([`analytics_rollup_${kind}_daily${totals}`, `bucket in (${plan.days.map(quote).join(', ')})`]);
  }
  if (plan.hourRuns.length > 0)
    parts.push([
      `analytics_rollup_${kind}_hourly`,
      `(${plan.hourRuns.map(([a, b]) => `(bucket >= ${quote(iso(a))} and bucket < ${quote(iso(b))})`).join(' or ')})`,
    ]);
  for (const [table, where] of parts) {
    const { rows } = await sql
      .raw<Record<string, unknown>>(
        `select ${key} as k, ${sums} from ${table} where ${where}${filterSql(filter)} group by ${key}`,
      )
      .execute(db);
    for (const r of rows) add(into(String(r.k)), r, metrics);
  }
  for (const [a, b] of plan.raw) {
    const facts = await computeFacts(db, iso(a), iso(b), settings.currency, filter, {
      products: kind === 'products',
      searches: kind === 'searches',
    });
    if (kind === 'products') for (const r of facts.products) add(into(r.product_id), r, metrics);
    else for (const r of facts.searches) add(into(r.term), r, metrics);
  }
  return out;
}

export async function loadProducts(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
): Promise<ProductTotals[]> {
  const map = await loadKeyed<ProductMetrics>(db, from, to, settings, filter, 'products');
  return [...map].map(([product_id, m]) => ({ product_id, ...m }));
}

export async function loadSearches(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
): Promise<SearchTotals[]> {
  const map = await loadKeyed<SearchMetrics>(db, from, to, settings, filter, 'searches');
  return [...map].map(([term, m]) => ({ term, ...m }));
}

const unfiltered = (filter: DimensionFilter, dimension?: Dimension) =>
  !dimension && Object.keys(filter).length === 0;

/** Distinct keys of the range from the distinct-key rollups, or null when they cannot serve it. */
async function distinctFromRollups(
  db: Db,
  kind: KeyKind,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  given?: ReportPlan,
): Promise<number | null> {
  const plan = given ?? (await planReport(db, from, to, settings, { allowDaily: true }));
  return plan.keyDays ? countDistinctKeys(db, kind, from, to, plan.days, settings) : null;
}

/**
 * Distinct visitors with a session starting in the range. Unfiltered: from the distinct-key rollups
 * (distinct-keys.ts); filtered or per dimension value: from sessions.
 */
export async function loadUsers(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
  dimension?: Dimension,
  plan?: ReportPlan,
): Promise<Map<string, number>> {
  if (unfiltered(filter, dimension)) {
    const users = await distinctFromRollups(db, 'visitor', from, to, settings, plan);
    if (users !== null) return new Map([['', users]]);
  }
  const where = `started_at >= ${quote(iso(from))} and started_at < ${quote(iso(to))}${filterSql(filter)}`;
  const grp = dimension ? `${dimension} as grp` : `'' as grp`;
  const { rows } = await sql
    .raw<{ grp: string; users: number }>(
      `select ${grp}, count(distinct visitor_id) as users from analytics_sessions where ${where}
       ${dimension ? `group by ${dimension}` : ''}`,
    )
    .execute(db);
  return new Map(rows.map((r) => [String(r.grp), Number(r.users)]));
}

/**
 * Repeat purchase rate inputs: customers (customer id, else visitor id) who ordered in the range, and
 * how many of them have two or more orders placed before the range ends (store currency only).
 * Unfiltered, from the rollups: buyers from the distinct-key rollups, and repeaters = buyers − those
 * whose first order is in the range and whose second is not before its end (`analytics_buyers`).
 */
export async function loadRepeatBuyers(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  filter: DimensionFilter,
  dimension?: Dimension,
  plan?: ReportPlan,
): Promise<Map<string, { buyers: number; repeaters: number }>> {
  const currency = settings.currency;
  if (unfiltered(filter, dimension)) {
    const [buyers, oneTime] = await Promise.all([
      distinctFromRollups(db, 'buyer', from, to, settings, plan),
      countOneTimeBuyers(db, from, to, currency),
    ]);
    if (buyers !== null) {
      return new Map(buyers > 0 ? [['', { buyers, repeaters: buyers - oneTime }]] : []);
    }
    // Raw: one pass over the orders before the range ends, grouped by buyer.
    const { rows } = await sql
      .raw<{ buyers: number; repeaters: number }>(
        `select count(*) as buyers, sum(case when n >= 2 then 1 else 0 end) as repeaters
         from (select buyer_key, count(*) as n from analytics_orders
               where placed_at < ${quote(iso(to))} and currency_code = ${quote(currency)} and buyer_key is not null
               group by buyer_key having max(placed_at) >= ${quote(iso(from))}) b`,
      )
      .execute(db);
    const r = rows[0];
    return new Map(
      Number(r?.buyers ?? 0) > 0
        ? [['', { buyers: Number(r!.buyers), repeaters: Number(r!.repeaters) }]]
        : [],
    );
  }
  const grp = dimension ? dimension : `''`;
  // Each buyer's earlier orders are counted through the (buyer_key, placed_at) index.
  const { rows } = await sql
    .raw<{ grp: string; buyers: number; repeaters: number }>(
      `select b.grp as grp, count(*) as buyers,
         sum(case when (select count(*) from analytics_orders o
                        where o.buyer_key = b.k and o.placed_at < ${quote(iso(to))}
                          and o.currency_code = ${quote(currency)}) >= 2 then 1 else 0 end) as repeaters
       from (select distinct ${grp} as grp, buyer_key as k from analytics_orders
             where placed_at >= ${quote(iso(from))} and placed_at < ${quote(iso(to))}
               and currency_code = ${quote(currency)} and buyer_key is not null${filterSql(filter)}) b
       group by b.grp`,
    )
    .execute(db);
  return new Map(
    rows.map((r) => [String(r.grp), { buyers: Number(r.buyers), repeaters: Number(r.repeaters) }]),
  );
}
