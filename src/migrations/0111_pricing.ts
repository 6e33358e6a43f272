import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Base prices: one per variant and currency (min_quantity 1), plus optional quantity tiers.
  await db.schema
    .createTable('variant_prices')
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('min_quantity', 'integer', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('variant_prices_pk', ['variant_id', 'currency_code', 'min_quantity'])
    .execute();

  await db.schema
    .createTable('price_lists')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text')
    .addColumn('ends_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('price_list_customer_groups')
    .addColumn('price_list_id', 'text', (c) => c.notNull().references('price_lists.id').onDelete('cascade'))
    .addColumn('customer_group_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_list_customer_groups_pk', ['price_list_id', 'customer_group_id'])
    .execute();

  await db.schema
    .createTable('price_list_prices')
    .addColumn('price_list_id', 'text', (c) => c.notNull().references('price_lists.id').onDelete('cascade'))
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('min_quantity', 'integer', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('price_list_prices_pk', [
      'price_list_id',
      'variant_id',
      'currency_code',
      'min_quantity',
    ])
    .execute();
  await db.schema
    .createIndex('price_list_prices_variant_idx')
    .on('price_list_prices')
    .columns(['variant_id', 'currency_code'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['price_list_prices', 'price_list_customer_groups', 'price_lists', 'variant_prices'])
    await db.schema.dropTable(table).execute();
}
