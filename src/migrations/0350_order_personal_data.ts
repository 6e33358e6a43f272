import type { Kysely } from 'kysely';

// Order and cart personal data (email, addresses) is encrypted from now on; existing rows stay
// readable as legacy plaintext until `stratus keys rotate` encrypts them (docs/security.md).
// `email_index` is the keyed blind index (HMAC) staff search orders by, without decrypting; on carts
// it lets erasure find guest carts left with the customer's email.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('email_index', 'text').execute();
  await db.schema.createIndex('orders_email_idx').on('orders').columns(['email_index', 'id']).execute();
  await db.schema.alterTable('carts').addColumn('email_index', 'text').execute();
  await db.schema.createIndex('carts_email_idx').on('carts').column('email_index').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('carts_email_idx').execute();
  await db.schema.alterTable('carts').dropColumn('email_index').execute();
  await db.schema.dropIndex('orders_email_idx').execute();
  await db.schema.alterTable('orders').dropColumn('email_index').execute();
}
