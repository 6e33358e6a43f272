import { Type } from 'typebox';
import { DIMENSIONS } from './dimensions.js';
import { MAX_BATCH } from './ingest.service.js';
import { KPI_NAMES, PRODUCT_SORTS, SERIES_METRICS } from './kpi.service.js';

export const IngestBody = Type.Object({
  events: Type.Array(Type.Unknown(), { maxItems: MAX_BATCH, description: `Up to ${MAX_BATCH} events` }),
  visitor_id: Type.Optional(Type.Unknown()),
  consent: Type.Optional(Type.Object({ analytics: Type.Boolean() })),
});

export const IngestReply = Type.Object({
  accepted: Type.Integer(),
  aggregated: Type.Integer(),
  filtered: Type.Integer(),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), reason: Type.String(), message: Type.String() })),
});

const Dim = Type.Union(DIMENSIONS.map((d) => Type.Literal(d)));
const filterFields = Object.fromEntries(
  DIMENSIONS.map((d) => [d, Type.Optional(Type.String({ maxLength: 256 }))]),
);

export const RangeQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'YYYY-MM-DD (local date in tz) or ISO date-time' })),
  to: Type.Optional(Type.String({ description: 'YYYY-MM-DD (inclusive) or ISO date-time (exclusive)' })),
  tz: Type.Optional(Type.String({ description: 'IANA time zone; the store zone by default' })),
  ...filterFields,
});

const Rate = Type.Union([Type.Number(), Type.Null()]);
const FunnelStep = Type.Object({ step: Type.String(), sessions: Type.Integer(), drop_off: Rate });
const kpiFields = {
  sessions: Type.Integer(),
  users: Type.Integer(),
  new_users: Type.Integer(),
  returning_users: Type.Integer(),
  conversion_rate: Rate,
  orders: Type.Integer(),
  gross_revenue: Type.Integer(),
  refunds: Type.Integer(),
  revenue: Type.Integer(),
  aov: Rate,
  cart_abandonment_rate: Rate,
  checkout_abandonment_rate: Rate,
  repeat_purchase_rate: Rate,
  carts_created: Type.Integer(),
  carts_converted: Type.Integer(),
  page_views: Type.Integer(),
  funnel: Type.Array(FunnelStep),
};
export const Kpis = Type.Object(kpiFields);
const RangeOut = Type.Object({ from: Type.String(), to: Type.String(), time_zone: Type.String() });

export const KpiReply = Type.Object({
  range: RangeOut,
  previous_range: RangeOut,
  currency_code: Type.String(),
  current: Kpis,
  previous: Kpis,
  change: Type.Record(Type.String(), Rate),
});

export const KpiName = Type.Union(KPI_NAMES.map((k) => Type.Literal(k)));
export const SingleKpiReply = Type.Object({
  name: Type.String(),
  range: RangeOut,
  currency_code: Type.String(),
  value: Rate,
  previous: Rate,
  change: Rate,
});

export const BreakdownQuery = Type.Intersect([RangeQuery, Type.Object({ dimension: Dim })]);
export const BreakdownReply = Type.Object({
  range: RangeOut,
  dimension: Type.String(),
  currency_code: Type.String(),
  data: Type.Array(Type.Object({ value: Type.String(), ...kpiFields })),
});

export const SeriesQuery = Type.Intersect([
  RangeQuery,
  Type.Object({
    metric: Type.Union(SERIES_METRICS.map((m) => Type.Literal(m))),
    interval: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'day' })),
    dimension: Type.Optional(Dim),
  }),
]);
export const SeriesReply = Type.Object({
  range: RangeOut,
  metric: Type.String(),
  interval: Type.String(),
  data: Type.Array(Type.Object({ bucket: Type.String(), group: Type.String(), value: Rate })),
});

export const FunnelReply = Type.Object({ range: RangeOut, steps: Type.Array(FunnelStep) });

const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 }));
export const ProductsQuery = Type.Intersect([
  RangeQuery,
  Type.Object({
    sort: Type.Optional(
      Type.Union(
        PRODUCT_SORTS.map((s) => Type.Literal(s)),
        { default: 'revenue' },
      ),
    ),
    limit: Limit,
  }),
]);
export const ViewedNotBoughtQuery = Type.Intersect([
  RangeQuery,
  Type.Object({ min_views: Type.Optional(Type.Integer({ minimum: 1, default: 20 })), limit: Limit }),
]);
export const LimitQuery = Type.Intersect([RangeQuery, Type.Object({ limit: Limit })]);

const Product = Type.Object({
  product_id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  category: Type.Union([Type.String(), Type.Null()]),
  views: Type.Integer(),
  add_to_carts: Type.Integer(),
  orders: Type.Integer(),
  units: Type.Integer(),
  revenue: Type.Integer(),
  add_to_cart_rate: Rate,
  purchase_rate: Rate,
});
export const ProductsReply = Type.Object({
  range: RangeOut,
  currency_code: Type.String(),
  data: Type.Array(Product),
});
export const CategoriesReply = Type.Object({
  range: RangeOut,
  currency_code: Type.String(),
  data: Type.Array(
    Type.Object({
      category: Type.String(),
      views: Type.Integer(),
      add_to_carts: Type.Integer(),
      orders: Type.Integer(),
      units: Type.Integer(),
      revenue: Type.Integer(),
    }),
  ),
});
const Term = Type.Object({ term: Type.String(), searches: Type.Integer(), zero_results: Type.Integer() });
export const SearchesReply = Type.Object({
  range: RangeOut,
  top: Type.Array(Term),
  zero_results: Type.Array(Term),
});

export const RealtimeReply = Type.Object({
  since: Type.String(),
  active_visitors: Type.Integer(),
  active_sessions: Type.Integer(),
  events: Type.Integer(),
  carts_created: Type.Integer(),
  carts_completed: Type.Integer(),
  orders: Type.Integer(),
  revenue: Type.Integer(),
  currency_code: Type.String(),
  top_pages: Type.Array(Type.Object({ page: Type.String(), views: Type.Integer() })),
  events_per_minute: Type.Array(Type.Object({ minute: Type.String(), events: Type.Integer() })),
});

export const ExportQuery = Type.Intersect([
  RangeQuery,
  Type.Object({
    report: Type.Union(
      ['kpis', 'breakdown', 'timeseries', 'products', 'categories', 'searches'].map((r) => Type.Literal(r)),
    ),
    dimension: Type.Optional(Dim),
    metric: Type.Optional(Type.Union(SERIES_METRICS.map((m) => Type.Literal(m)))),
    interval: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'day' })),
    sort: Type.Optional(
      Type.Union(
        PRODUCT_SORTS.map((s) => Type.Literal(s)),
        { default: 'revenue' },
      ),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
  }),
]);
