import type { Kysely } from 'kysely';

// The storefront's analytics ids, carried from the cart onto order events (no personal data).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('carts').addColumn('visitor_id', 'text').execute();
  await db.schema.alterTable('carts').addColumn('session_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('carts').dropColumn('session_id').execute();
  await db.schema.alterTable('carts').dropColumn('visitor_id').execute();
}
