import type { Kysely } from 'kysely';

// Nothing reads outbox events by topic (subscribers get deliveries, which name their event), yet the
// index took a write on every event, on a page of its own per topic: about 11 of the 131 pages a
// checkout flow wrote to SQLite's WAL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_events_topic_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('outbox_events_topic_idx')
    .on('outbox_events')
    .columns(['topic', 'id'])
    .execute();
}
