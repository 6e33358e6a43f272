import { type Kysely, sql } from 'kysely';

/**
 * Distinct counts that the additive rollups cannot hold: users (distinct visitors) and buyers
 * (distinct customers who ordered), kept so a dashboard range reads a few thousand rows instead of
 * every session and order in it.
 *
 * - `analytics_rollup_key_days`: per store-local day and kind (`visitor`, `buyer`), how many keys
 *   appeared that day, by the last earlier day each one appeared (`prev_day`, '' for never). The keys
 *   of days D1…D2 that are distinct over the block are those whose `prev_day` is before D1.
 * - `analytics_buyers`: each buyer's first and second order time per currency (repeat purchase).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('analytics_rollup_key_days')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('prev_day', 'text', (c) => c.notNull())
    .addColumn('keys', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_rollup_key_days_pk', ['kind', 'bucket', 'prev_day'])
    .execute();

  await db.schema
    .createTable('analytics_buyers')
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('buyer_key', 'text', (c) => c.notNull())
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('second_at', 'text')
    .addPrimaryKeyConstraint('analytics_buyers_pk', ['currency_code', 'buyer_key'])
    .execute();
  await db.schema
    .createIndex('analytics_buyers_first_idx')
    .on('analytics_buyers')
    .columns(['currency_code', 'first_at', 'second_at'])
    .execute();
  // Orders recorded before this migration.
  await sql`
    insert into analytics_buyers (currency_code, buyer_key, first_at, second_at)
    select o.currency_code, o.buyer_key, min(o.placed_at),
           (select o2.placed_at from analytics_orders o2
            where o2.buyer_key = o.buyer_key and o2.currency_code = o.currency_code
            order by o2.placed_at limit 1 offset 1)
    from analytics_orders o where o.buyer_key is not null
    group by o.currency_code, o.buyer_key`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('analytics_buyers').execute();
  await db.schema.dropTable('analytics_rollup_key_days').execute();
}
