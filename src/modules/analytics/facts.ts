import { sql } from 'kysely';
import type { DbOrTrx } from '../../platform/db/transaction.js';
import type { DimensionColumns, RollupMetricColumns } from './analytics.tables.js';
import { DIMENSIONS, type Dimension } from './dimensions.js';
import type { EventItem } from './event-model.js';

/**
 * The raw computation of every additive fact, per UTC hour and dimension combination, for a time
 * range. The rollup job stores exactly this per hour; dashboards call it for the open hour and for
 * hours not rolled up yet. Keeping one computation is what makes rollup and raw figures equal.
 */
export const METRICS = [
  'sessions',
  'new_sessions',
  'purchase_sessions',
  'funnel_view',
  'funnel_cart',
  'funnel_checkout',
  'funnel_purchase',
  'begin_checkout_sessions',
  'checkout_purchase_sessions',
  'page_views',
  'view_item_events',
  'add_to_cart_events',
  'begin_checkout_events',
  'search_events',
  'orders',
  'revenue',
  'refunds',
  'carts_created',
  'carts_converted',
] as const satisfies readonly (keyof RollupMetricColumns)[];
export type Metrics = RollupMetricColumns;

export const PRODUCT_METRICS = ['views', 'add_to_carts', 'orders', 'units', 'revenue'] as const;
export type ProductMetrics = Record<(typeof PRODUCT_METRICS)[number], number>;
export const SEARCH_METRICS = ['searches', 'zero_results'] as const;
export type SearchMetrics = Record<(typeof SEARCH_METRICS)[number], number>;

export interface FactRow extends DimensionColumns, Metrics {
  bucket: string;
}
export interface ProductFactRow extends DimensionColumns, ProductMetrics {
  bucket: string;
  product_id: string;
}
export interface SearchFactRow extends DimensionColumns, SearchMetrics {
  bucket: string;
  term: string;
}

export interface Facts {
  main: FactRow[];
  products: ProductFactRow[];
  searches: SearchFactRow[];
}

/** Equality filters on dimensions, applied to every source table. */
export type DimensionFilter = Partial<Record<Dimension, string>>;

export function emptyMetrics(): Metrics {
  const m = {} as Metrics;
  for (const k of METRICS) m[k] = 0;
  return m;
}

const hourOf = (column: string) => sql<string>`substr(${sql.ref(column)}, 1, 13)`;
const toBucket = (prefix: string) => `${prefix}:00:00.000Z`;

function keyOf(bucket: string, row: DimensionColumns, extra = ''): string {
  return `${bucket}\u0001${row.region_id}\u0001${row.device_class}\u0001${row.utm_source}\u0001${row.utm_medium}\u0001${row.customer_group}\u0001${extra}`;
}

function applyFilter<QB extends { where: (...args: never[]) => QB }>(
  qb: QB,
  filter: DimensionFilter,
  prefix = '',
): QB {
  let q = qb;
  for (const d of DIMENSIONS) {
    const value = filter[d];
    if (value !== undefined)
      q = (q.where as (a: string, b: string, c: string) => QB)(`${prefix}${d}`, '=', value);
  }
  return q;
}

const dimensionRefs = DIMENSIONS.map((d) => d);

/** Facts for `[from, to)` (ISO instants) grouped by UTC hour and every dimension. */
export async function computeFacts(
  db: DbOrTrx,
  from: string,
  to: string,
  currency: string,
  filter: DimensionFilter = {},
  parts: { products: boolean; searches: boolean } = { products: true, searches: true },
): Promise<Facts> {
  const main = new Map<string, FactRow>();
  const row = (bucket: string, dims: DimensionColumns): FactRow => {
    const key = keyOf(bucket, dims);
    let r = main.get(key);
    if (!r) {
      r = { bucket, ...pickDims(dims), ...emptyMetrics() };
      main.set(key, r);
    }
    return r;
  };

  const sessionsQuery = applyFilter(
    db
      .selectFrom('analytics_sessions')
      .select((eb) => [
        hourOf('started_at').as('h'),
        ...dimensionRefs,
        eb.fn.countAll<number>().as('sessions'),
        eb.fn.sum<number>('is_first').as('new_sessions'),
        eb.fn.sum<number>('has_purchase').as('purchase_sessions'),
        eb.fn.sum<number>('has_view_item').as('funnel_view'),
        eb.fn.sum<number>(sql`has_view_item * has_add_to_cart`).as('funnel_cart'),
        eb.fn.sum<number>(sql`has_view_item * has_add_to_cart * has_begin_checkout`).as('funnel_checkout'),
        eb.fn
          .sum<number>(sql`has_view_item * has_add_to_cart * has_begin_checkout * has_purchase`)
          .as('funnel_purchase'),
        eb.fn.sum<number>('has_begin_checkout').as('begin_checkout_sessions'),
        eb.fn.sum<number>(sql`has_begin_checkout * has_purchase`).as('checkout_purchase_sessions'),
      ])
      .where('started_at', '>=', from)
      .where('started_at', '<', to),
    filter,
  )
    .groupBy([sql`substr(started_at, 1, 13)`, ...dimensionRefs])
    .execute();
  const counted: Record<string, keyof Metrics> = {
    page_view: 'page_views',
    view_item: 'view_item_events',
    add_to_cart: 'add_to_cart_events',
    begin_checkout: 'begin_checkout_events',
    search: 'search_events',
  };
  const eventsQuery = applyFilter(
    db
      .selectFrom('analytics_events')
      .select((eb) => [
        hourOf('occurred_at').as('h'),
        'name',
        ...dimensionRefs,
        eb.fn.countAll<number>().as('n'),
      ])
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .where('name', 'in', Object.keys(counted)),
    filter,
  )
    .groupBy([sql`substr(occurred_at, 1, 13)`, 'name', ...dimensionRefs])
    .execute();
  const ordersQuery = applyFilter(
    db
      .selectFrom('analytics_orders')
      .select((eb) => [
        hourOf('placed_at').as('h'),
        ...dimensionRefs,
        eb.fn.countAll<number>().as('orders'),
        eb.fn.sum<number>('total').as('revenue'),
      ])
      .where('placed_at', '>=', from)
      .where('placed_at', '<', to)
      .where('currency_code', '=', currency),
    filter,
  )
    .groupBy([sql`substr(placed_at, 1, 13)`, ...dimensionRefs])
    .execute();
  const refundsQuery = applyFilter(
    db
      .selectFrom('analytics_refunds')
      .select((eb) => [
        hourOf('refunded_at').as('h'),
        ...dimensionRefs,
        eb.fn.sum<number>('amount').as('amount'),
      ])
      .where('refunded_at', '>=', from)
      .where('refunded_at', '<', to)
      .where('currency_code', '=', currency),
    filter,
  )
    .groupBy([sql`substr(refunded_at, 1, 13)`, ...dimensionRefs])
    .execute();
  const cartsQuery = applyFilter(
    db
      .selectFrom('analytics_carts')
      .select((eb) => [
        hourOf('created_at').as('h'),
        ...dimensionRefs,
        eb.fn.countAll<number>().as('created'),
        eb.fn.sum<number>(sql`case when completed_at is null then 0 else 1 end`).as('converted'),
      ])
      .where('created_at', '>=', from)
      .where('created_at', '<', to),
    filter,
  )
    .groupBy([sql`substr(created_at, 1, 13)`, ...dimensionRefs])
    .execute();
  // All five at once: on PostgreSQL a report's raw part costs one round trip, not five.
  const [sessions, events, orders, refunds, carts] = await Promise.all([
    sessionsQuery,
    eventsQuery,
    ordersQuery,
    refundsQuery,
    cartsQuery,
  ]);
  for (const s of sessions) {
    const r = row(toBucket(s.h), s);
    r.sessions += Number(s.sessions);
    r.new_sessions += Number(s.new_sessions);
    r.purchase_sessions += Number(s.purchase_sessions);
    r.funnel_view += Number(s.funnel_view);
    r.funnel_cart += Number(s.funnel_cart);
    r.funnel_checkout += Number(s.funnel_checkout);
    r.funnel_purchase += Number(s.funnel_purchase);
    r.begin_checkout_sessions += Number(s.begin_checkout_sessions);
    r.checkout_purchase_sessions += Number(s.checkout_purchase_sessions);
  }

  for (const e of events) row(toBucket(e.h), e)[counted[e.name]!] += Number(e.n);

  for (const o of orders) {
    const r = row(toBucket(o.h), o);
    r.orders += Number(o.orders);
    r.revenue += Number(o.revenue);
  }

  for (const f of refunds) row(toBucket(f.h), f).refunds += Number(f.amount);

  for (const c of carts) {
    const r = row(toBucket(c.h), c);
    r.carts_created += Number(c.created);
    r.carts_converted += Number(c.converted);
  }

  return {
    main: [...main.values()],
    products: parts.products ? await productFacts(db, from, to, currency, filter) : [],
    searches: parts.searches ? await searchFacts(db, from, to, filter) : [],
  };
}

function pickDims(row: DimensionColumns): DimensionColumns {
  return {
    region_id: row.region_id,
    device_class: row.device_class,
    utm_source: row.utm_source,
    utm_medium: row.utm_medium,
    customer_group: row.customer_group,
  };
}

async function productFacts(
  db: DbOrTrx,
  from: string,
  to: string,
  currency: string,
  filter: DimensionFilter,
): Promise<ProductFactRow[]> {
  const rows = new Map<string, ProductFactRow>();
  const row = (bucket: string, dims: DimensionColumns, product: string): ProductFactRow => {
    const key = keyOf(bucket, dims, product);
    let r = rows.get(key);
    if (!r) {
      r = {
        bucket,
        ...pickDims(dims),
        product_id: product,
        views: 0,
        add_to_carts: 0,
        orders: 0,
        units: 0,
        revenue: 0,
      };
      rows.set(key, r);
    }
    return r;
  };
  const events = await applyFilter(
    db
      .selectFrom('analytics_events')
      .select(['occurred_at', 'name', 'items', ...dimensionRefs])
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .where('name', 'in', ['view_item', 'add_to_cart']),
    filter,
  ).execute();
  for (const e of events) {
    if (!e.items) continue;
    const bucket = toBucket(e.occurred_at.slice(0, 13));
    for (const item of JSON.parse(e.items) as EventItem[]) {
      const r = row(bucket, e, item.item_id);
      if (e.name === 'view_item') r.views++;
      else r.add_to_carts++;
    }
  }
  const sold = await applyFilter(
    db
      .selectFrom('analytics_order_items as i')
      .innerJoin('analytics_orders as o', 'o.order_id', 'i.order_id')
      .select((eb) => [
        sql<string>`substr(i.placed_at, 1, 13)`.as('h'),
        'i.product_id',
        'o.region_id',
        'o.device_class',
        'o.utm_source',
        'o.utm_medium',
        'o.customer_group',
        eb.fn.count<number>('i.order_id').distinct().as('orders'),
        eb.fn.sum<number>('i.quantity').as('units'),
        eb.fn.sum<number>(sql`i.quantity * i.unit_price`).as('revenue'),
      ])
      .where('i.placed_at', '>=', from)
      .where('i.placed_at', '<', to)
      .where('o.currency_code', '=', currency),
    filter,
    'o.',
  )
    .groupBy([
      sql`substr(i.placed_at, 1, 13)`,
      'i.product_id',
      'o.region_id',
      'o.device_class',
      'o.utm_source',
      'o.utm_medium',
      'o.customer_group',
    ])
    .execute();
  for (const s of sold) {
    const r = row(toBucket(s.h), s, s.product_id);
    r.orders += Number(s.orders);
    r.units += Number(s.units);
    r.revenue += Number(s.revenue);
  }
  return [...rows.values()];
}

async function searchFacts(
  db: DbOrTrx,
  from: string,
  to: string,
  filter: DimensionFilter,
): Promise<SearchFactRow[]> {
  const rows = await applyFilter(
    db
      .selectFrom('analytics_events')
      .select((eb) => [
        hourOf('occurred_at').as('h'),
        'search_term',
        ...dimensionRefs,
        eb.fn.countAll<number>().as('searches'),
        eb.fn.sum<number>(sql`case when search_results = 0 then 1 else 0 end`).as('zero_results'),
      ])
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .where('name', '=', 'search')
      .where('search_term', 'is not', null),
    filter,
  )
    .groupBy([sql`substr(occurred_at, 1, 13)`, 'search_term', ...dimensionRefs])
    .execute();
  return rows.map((r) => ({
    bucket: toBucket(r.h),
    ...pickDims(r),
    term: r.search_term!,
    searches: Number(r.searches),
    zero_results: Number(r.zero_results),
  }));
}
