import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tax_classes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('regions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('tax_inclusive', 'integer', (c) => c.notNull())
    .addColumn('default_tax_rate_bp', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // A country belongs to at most one region, so a shopper's country picks exactly one region.
  await db.schema
    .createTable('region_countries')
    .addColumn('country_code', 'text', (c) => c.primaryKey())
    .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id').onDelete('cascade'))
    .execute();
  await db.schema
    .createIndex('region_countries_region_idx')
    .on('region_countries')
    .column('region_id')
    .execute();

  await db.schema
    .createTable('region_tax_rates')
    .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('tax_class_id', 'text', (c) => c.notNull().references('tax_classes.id').onDelete('cascade'))
    .addColumn('rate_bp', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('region_tax_rates_pk', ['region_id', 'tax_class_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['region_tax_rates', 'region_countries', 'regions', 'tax_classes'])
    await db.schema.dropTable(table).execute();
}
