import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../platform/db/database.js';

// Catalog tables. Full-text search is the one dialect-specific part: an FTS5 table on SQLite, a plain
// table with a GIN index over to_tsvector('simple', body) on PostgreSQL. Both index a body that the app
// writes with diacritics folded, so Polish and English match the same way (see catalog.search.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subtitle', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('seo_title', 'text')
    .addColumn('seo_description', 'text')
    .addColumn('product_type', 'text')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('media', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text', (c) => c.notNull())
    .addColumn('translations', 'text', (c) => c.notNull())
    .addColumn('category_ids', 'text', (c) => c.notNull())
    .addColumn('collection_ids', 'text', (c) => c.notNull())
    .addColumn('sales_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .execute();
  await db.schema.createIndex('products_status_id_idx').on('products').columns(['status', 'id']).execute();
  await db.schema
    .createIndex('products_status_sales_idx')
    .on('products')
    .columns(['status', 'sales_count', 'id'])
    .execute();

  await db.schema
    .createTable('product_variants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('sku', 'text', (c) => c.unique())
    .addColumn('barcode', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('weight_grams', 'integer')
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('tax_class_id', 'text')
    .addColumn('translations', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('product_variants_product_idx')
    .on('product_variants')
    .columns(['product_id', 'position'])
    .execute();

  await db.schema
    .createTable('categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('parent_id', 'text', (c) => c.references('categories.id'))
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('translations', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('categories_parent_idx').on('categories').columns(['parent_id']).execute();

  await db.schema
    .createTable('collections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('translations', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  for (const [table, target] of [
    ['product_categories', 'categories.id'],
    ['product_collections', 'collections.id'],
    ['product_tags', null],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
      .addColumn('ref', 'text', (c) =>
        target ? c.notNull().references(target).onDelete('cascade') : c.notNull(),
      )
      .addPrimaryKeyConstraint(`${table}_pk`, ['product_id', 'ref'])
      .execute();
    await db.schema.createIndex(`${table}_ref_idx`).on(table).columns(['ref', 'product_id']).execute();
  }

  await db.schema
    .createTable('product_option_values')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('product_option_values_pk', ['product_id', 'name', 'value'])
    .execute();
  await db.schema
    .createIndex('product_option_values_value_idx')
    .on('product_option_values')
    .columns(['name', 'value', 'product_id'])
    .execute();

  await db.schema
    .createTable('product_prices')
    .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('currency_code', 'text', (c) => c.notNull())
    .addColumn('min_amount', 'integer', (c) => c.notNull())
    .addColumn('max_amount', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('product_prices_pk', ['product_id', 'currency_code'])
    .execute();
  await db.schema
    .createIndex('product_prices_amount_idx')
    .on('product_prices')
    .columns(['currency_code', 'min_amount', 'product_id'])
    .execute();

  if (isPostgres) {
    await db.schema
      .createTable('product_search')
      .addColumn('product_id', 'text', (c) => c.primaryKey().references('products.id').onDelete('cascade'))
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await sql`create index product_search_fts_idx on product_search using gin (to_tsvector('simple', body))`.execute(
      db,
    );
  } else {
    await sql`create virtual table product_search using fts5(product_id unindexed, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')`.execute(
      db,
    );
  }

  await db.schema
    .createTable('catalog_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'catalog_settings',
    'product_search',
    'product_prices',
    'product_option_values',
    'product_tags',
    'product_collections',
    'product_categories',
    'product_variants',
    'products',
    'collections',
    'categories',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
