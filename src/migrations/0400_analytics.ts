import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import { dialectOf } from '../platform/db/database.js';

const DIMENSIONS = ['region_id', 'device_class', 'utm_source', 'utm_medium', 'customer_group'] as const;

function withDimensions<T extends string>(table: CreateTableBuilder<T>): CreateTableBuilder<T> {
  let t = table;
  for (const column of DIMENSIONS) t = t.addColumn(column, 'text', (c) => c.notNull());
  return t;
}

const ROLLUP_METRICS = [
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
];

const EVENT_COLUMNS = `
  id text not null,
  occurred_at text not null,
  received_at text not null,
  name text not null,
  visitor_id text,
  session_id text,
  client_session_id text,
  customer_id text,
  channel_id text not null,
  page text,
  referrer text,
  utm_campaign text,
  currency_code text,
  value bigint,
  items text,
  search_term text,
  search_results integer,
  order_id text,
  region_id text not null,
  device_class text not null,
  utm_source text not null,
  utm_medium text not null,
  customer_group text not null`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    // Monthly range partitions on the ISO text timestamp (string order is time order): retention drops
    // whole partitions, and range scans prune to the months asked for. Partitions are created ahead
    // by the rollup job and on demand by ingestion; the default partition catches anything else.
    await sql
      .raw(
        `create table analytics_events (${EVENT_COLUMNS}, primary key (occurred_at, id)) partition by range (occurred_at)`,
      )
      .execute(db);
    await sql.raw('create table analytics_events_default partition of analytics_events default').execute(db);
  } else {
    // Clustered by time (WITHOUT ROWID, keyed by occurred_at then id): range scans read contiguous
    // pages and no separate time index is maintained on every insert.
    await sql
      .raw(`create table analytics_events (${EVENT_COLUMNS}, primary key (occurred_at, id)) without rowid`)
      .execute(db);
  }
  // Both dialects: the (occurred_at, id) key is the time index.
  await db.schema
    .createIndex('analytics_events_visitor_idx')
    .on('analytics_events')
    .columns(['visitor_id', 'occurred_at'])
    .execute();

  await withDimensions(
    db.schema
      .createTable('analytics_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('visitor_id', 'text', (c) => c.notNull())
      .addColumn('customer_id', 'text')
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('last_event_at', 'text', (c) => c.notNull())
      .addColumn('local_date', 'text', (c) => c.notNull())
      .addColumn('event_count', 'integer', (c) => c.notNull())
      .addColumn('landing_page', 'text')
      .addColumn('is_first', 'integer', (c) => c.notNull())
      .addColumn('has_view_item', 'integer', (c) => c.notNull())
      .addColumn('has_add_to_cart', 'integer', (c) => c.notNull())
      .addColumn('has_begin_checkout', 'integer', (c) => c.notNull())
      .addColumn('has_purchase', 'integer', (c) => c.notNull()),
  ).execute();
  await db.schema
    .createIndex('analytics_sessions_started_idx')
    .on('analytics_sessions')
    .columns(['started_at', 'visitor_id'])
    .execute();
  await db.schema
    .createIndex('analytics_sessions_visitor_idx')
    .on('analytics_sessions')
    .columns(['visitor_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('analytics_visitors')
    .addColumn('visitor_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_event_at', 'text', (c) => c.notNull())
    .addColumn('last_session_id', 'text', (c) => c.notNull())
    .addColumn('last_session_started_at', 'text', (c) => c.notNull())
    .addColumn('last_local_date', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('analytics_visitors_customer_idx')
    .on('analytics_visitors')
    .columns(['customer_id', 'last_event_at'])
    .execute();

  await withDimensions(
    db.schema
      .createTable('analytics_orders')
      .addColumn('order_id', 'text', (c) => c.primaryKey())
      .addColumn('buyer_key', 'text')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('order_number', 'text')
      .addColumn('customer_id', 'text')
      .addColumn('visitor_id', 'text')
      .addColumn('session_id', 'text')
      .addColumn('cart_id', 'text')
      .addColumn('currency_code', 'text', (c) => c.notNull())
      .addColumn('total', 'bigint', (c) => c.notNull())
      .addColumn('subtotal', 'bigint', (c) => c.notNull())
      .addColumn('discount_total', 'bigint', (c) => c.notNull())
      .addColumn('tax_total', 'bigint', (c) => c.notNull())
      .addColumn('shipping_total', 'bigint', (c) => c.notNull())
      .addColumn('placed_at', 'text', (c) => c.notNull()),
  ).execute();
  await db.schema
    .createIndex('analytics_orders_placed_idx')
    .on('analytics_orders')
    .column('placed_at')
    .execute();
  await db.schema
    .createIndex('analytics_orders_buyer_idx')
    .on('analytics_orders')
    .columns(['buyer_key', 'placed_at'])
    .execute();

  await db.schema
    .createTable('analytics_order_items')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('variant_id', 'text')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('unit_price', 'bigint', (c) => c.notNull())
    .addColumn('placed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_order_items_pk', ['order_id', 'line'])
    .execute();
  await db.schema
    .createIndex('analytics_order_items_placed_idx')
    .on('analytics_order_items')
    .column('placed_at')
    .execute();

  await withDimensions(
    db.schema
      .createTable('analytics_refunds')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('order_id', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('currency_code', 'text', (c) => c.notNull())
      .addColumn('refunded_at', 'text', (c) => c.notNull()),
  ).execute();
  await db.schema
    .createIndex('analytics_refunds_time_idx')
    .on('analytics_refunds')
    .column('refunded_at')
    .execute();

  await withDimensions(
    db.schema
      .createTable('analytics_carts')
      .addColumn('cart_id', 'text', (c) => c.primaryKey())
      .addColumn('customer_id', 'text')
      .addColumn('visitor_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text'),
  ).execute();
  await db.schema
    .createIndex('analytics_carts_created_idx')
    .on('analytics_carts')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('analytics_products')
    .addColumn('product_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('category', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('analytics_cookieless_counts')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('device_class', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_cookieless_counts_pk', ['bucket', 'name', 'device_class'])
    .execute();

  for (const grain of ['hourly', 'daily']) {
    let rollup = withDimensions(
      db.schema.createTable(`analytics_rollup_${grain}`).addColumn('bucket', 'text', (c) => c.notNull()),
    );
    for (const metric of ROLLUP_METRICS) rollup = rollup.addColumn(metric, 'bigint', (c) => c.notNull());
    await rollup
      .addPrimaryKeyConstraint(`analytics_rollup_${grain}_pk`, ['bucket', ...DIMENSIONS] as never[])
      .execute();

    await withDimensions(
      db.schema
        .createTable(`analytics_rollup_products_${grain}`)
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('product_id', 'text', (c) => c.notNull()),
    )
      .addColumn('views', 'bigint', (c) => c.notNull())
      .addColumn('add_to_carts', 'bigint', (c) => c.notNull())
      .addColumn('orders', 'bigint', (c) => c.notNull())
      .addColumn('units', 'bigint', (c) => c.notNull())
      .addColumn('revenue', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`analytics_rollup_products_${grain}_pk`, [
        'bucket',
        'product_id',
        ...DIMENSIONS,
      ] as never[])
      .execute();

    await withDimensions(
      db.schema
        .createTable(`analytics_rollup_searches_${grain}`)
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('term', 'text', (c) => c.notNull()),
    )
      .addColumn('searches', 'bigint', (c) => c.notNull())
      .addColumn('zero_results', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`analytics_rollup_searches_${grain}_pk`, [
        'bucket',
        'term',
        ...DIMENSIONS,
      ] as never[])
      .execute();
  }

  // Daily figures over all dimensions, for unfiltered reports: one row per day (per product, per term).
  let totals = db.schema
    .createTable('analytics_rollup_daily_totals')
    .addColumn('bucket', 'text', (c) => c.primaryKey());
  for (const metric of ROLLUP_METRICS) totals = totals.addColumn(metric, 'bigint', (c) => c.notNull());
  await totals.execute();
  await db.schema
    .createTable('analytics_rollup_products_daily_totals')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('views', 'bigint', (c) => c.notNull())
    .addColumn('add_to_carts', 'bigint', (c) => c.notNull())
    .addColumn('orders', 'bigint', (c) => c.notNull())
    .addColumn('units', 'bigint', (c) => c.notNull())
    .addColumn('revenue', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_products_daily_totals_pk', ['bucket', 'product_id'])
    .execute();
  await db.schema
    .createTable('analytics_rollup_searches_daily_totals')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('searches', 'bigint', (c) => c.notNull())
    .addColumn('zero_results', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_searches_daily_totals_pk', ['bucket', 'term'])
    .execute();

  await db.schema
    .createTable('analytics_dirty_hours')
    .addColumn('bucket', 'text', (c) => c.primaryKey())
    .addColumn('marked_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('analytics_rollup_state')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('analytics_rolled_days')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const tables = [
    'analytics_rollup_searches_daily_totals',
    'analytics_rollup_products_daily_totals',
    'analytics_rollup_daily_totals',
    'analytics_rolled_days',
    'analytics_rollup_state',
    'analytics_dirty_hours',
    'analytics_rollup_searches_daily',
    'analytics_rollup_searches_hourly',
    'analytics_rollup_products_daily',
    'analytics_rollup_products_hourly',
    'analytics_rollup_daily',
    'analytics_rollup_hourly',
    'analytics_cookieless_counts',
    'analytics_products',
    'analytics_carts',
    'analytics_refunds',
    'analytics_order_items',
    'analytics_orders',
    'analytics_visitors',
    'analytics_sessions',
    'analytics_events',
  ];
  for (const table of tables) await db.schema.dropTable(table).execute();
}
