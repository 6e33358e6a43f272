import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_daily')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('meter', 'text', (c) => c.notNull())
    .addColumn('dimension', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_daily_pk', ['day', 'meter', 'dimension'])
    .execute();
  await db.schema
    .createTable('usage_event_receipts')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('subscriber', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_event_receipts_pk', ['event_id', 'subscriber'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('usage_event_receipts').execute();
  await db.schema.dropTable('usage_daily').execute();
}
