import { type Kysely, sql } from 'kysely';

/**
 * Stored Idempotency-Key responses get an `id` (so key rotation can sweep them like any encrypted
 * table) and the `resource_id` they answered for (the cart or order in the path, or the resource
 * created), so erasure finds a customer's stored responses without decrypting every row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('id', 'text').execute();
  await db.schema.alterTable('idempotency_keys').addColumn('resource_id', 'text').execute();
  // Keys are printable ASCII without spaces, and scopes hold no spaces: `scope key` is unique already,
  // through the primary key. The index on it must not be UNIQUE: a claim's ON CONFLICT names the
  // primary key, and two claims racing for one key would then fail on this index instead.
  await sql`update idempotency_keys set id = scope || ' ' || key`.execute(db);
  await db.schema.createIndex('idempotency_keys_id_idx').on('idempotency_keys').column('id').execute();
  await db.schema
    .createIndex('idempotency_keys_resource_idx')
    .on('idempotency_keys')
    .column('resource_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idempotency_keys_resource_idx').execute();
  await db.schema.dropIndex('idempotency_keys_id_idx').execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('resource_id').execute();
  await db.schema.alterTable('idempotency_keys').dropColumn('id').execute();
}
