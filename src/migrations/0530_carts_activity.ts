import type { Kysely } from 'kysely';

// `stratus_active_carts` counts open carts changed within a window at every scrape: an index range
// scan on (status, updated_at) instead of reading every cart ever created.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('carts_activity_idx').on('carts').columns(['status', 'updated_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('carts_activity_idx').execute();
}
