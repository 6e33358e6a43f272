import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('promotions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('currency_code', 'text')
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('buy_quantity', 'integer')
    .addColumn('get_quantity', 'integer')
    .addColumn('max_applications', 'integer')
    .addColumn('starts_at', 'text')
    .addColumn('ends_at', 'text')
    .addColumn('usage_limit', 'integer')
    .addColumn('usage_count', 'integer', (c) => c.notNull())
    .addColumn('per_customer_limit', 'integer')
    .addColumn('stacking', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Several NULL codes (automatic promotions) are allowed by both dialects' unique indexes.
  await db.schema.createIndex('promotions_code_uq').on('promotions').column('code').unique().execute();
  await db.schema.createIndex('promotions_active_idx').on('promotions').columns(['active', 'code']).execute();

  await db.schema
    .createTable('promotion_usages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('promotion_id', 'text', (c) => c.notNull().references('promotions.id'))
    .addColumn('customer_key', 'text')
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('promotion_usages_order_uq', ['promotion_id', 'order_id'])
    .execute();
  await db.schema
    .createIndex('promotion_usages_customer_idx')
    .on('promotion_usages')
    .columns(['promotion_id', 'customer_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('promotion_usages').execute();
  await db.schema.dropTable('promotions').execute();
}
