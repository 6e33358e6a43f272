import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stock_locations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('stock_location_regions')
    .addColumn('location_id', 'text', (c) => c.notNull().references('stock_locations.id').onDelete('cascade'))
    .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('stock_location_regions_pk', ['location_id', 'region_id'])
    .execute();
  await db.schema
    .createIndex('stock_location_regions_region_idx')
    .on('stock_location_regions')
    .columns(['region_id', 'location_id'])
    .execute();

  // Per-variant inventory policy; a variant without a row is tracked, with no backorder or preorder.
  await db.schema
    .createTable('inventory_items')
    .addColumn('variant_id', 'text', (c) => c.primaryKey())
    .addColumn('tracked', 'integer', (c) => c.notNull())
    .addColumn('allow_backorder', 'integer', (c) => c.notNull())
    .addColumn('allow_preorder', 'integer', (c) => c.notNull())
    .addColumn('low_stock_threshold', 'integer')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // on_hand and reserved are counters kept equal to the ledger sums; the CHECKs are the last line of
  // defence (a reservation's guarded UPDATE is the first).
  await db.schema
    .createTable('inventory_levels')
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('stock_locations.id').onDelete('cascade'))
    .addColumn('on_hand', 'integer', (c) => c.notNull())
    .addColumn('reserved', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('inventory_levels_pk', ['variant_id', 'location_id'])
    .addCheckConstraint('inventory_levels_reserved_ck', sql`reserved >= 0`)
    .addCheckConstraint('inventory_levels_on_hand_ck', sql`on_hand >= 0`)
    .execute();
  await db.schema
    .createIndex('inventory_levels_location_idx')
    .on('inventory_levels')
    .columns(['location_id', 'variant_id'])
    .execute();

  await db.schema
    .createTable('inventory_reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('stock_locations.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reference_type', 'text', (c) => c.notNull())
    .addColumn('reference_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inventory_reservations_reference_idx')
    .on('inventory_reservations')
    .columns(['reference_type', 'reference_id', 'status'])
    .execute();
  await db.schema
    .createIndex('inventory_reservations_expiry_idx')
    .on('inventory_reservations')
    .columns(['status', 'expires_at'])
    .execute();

  // The movement ledger: per (variant, location), sum(on_hand_delta) = on_hand and
  // sum(reserved_delta) = reserved, always. Append-only.
  await db.schema
    .createTable('inventory_movements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('variant_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull().references('stock_locations.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('on_hand_delta', 'integer', (c) => c.notNull())
    .addColumn('reserved_delta', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('reference_type', 'text')
    .addColumn('reference_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inventory_movements_level_idx')
    .on('inventory_movements')
    .columns(['variant_id', 'location_id', 'id'])
    .execute();
  await db.schema
    .createIndex('inventory_movements_location_idx')
    .on('inventory_movements')
    .columns(['location_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'inventory_movements',
    'inventory_reservations',
    'inventory_levels',
    'inventory_items',
    'stock_location_regions',
    'stock_locations',
  ])
    await db.schema.dropTable(table).execute();
}
