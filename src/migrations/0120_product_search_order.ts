import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../platform/db/database.js';

// SQLite search in "newest" order walks the FTS index by rowid, newest first, and stops after a page,
// instead of collecting every match and sorting it (1 ms for a common word over 10k products, against
// tens of µs). So each product keeps one FTS rowid for life, taken in creation order and kept when its
// search text is rewritten: `products.search_rowid`. Existing products get theirs in id (creation)
// order. PostgreSQL searches through its GIN index and leaves the column empty.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('products').addColumn('search_rowid', 'integer').execute();
  await db.schema
    .createIndex('products_search_rowid_idx')
    .unique()
    .on('products')
    .column('search_rowid')
    .execute();
  if (dialectOf(db) === 'postgres') return;
  await sql`update products set search_rowid = (
      select n from (select id, row_number() over (order by id) as n from products) ranked
      where ranked.id = products.id)`.execute(db);
  await sql`create table product_search_copy as select product_id, body from product_search`.execute(db);
  await sql`delete from product_search`.execute(db);
  await sql`insert into product_search (rowid, product_id, body)
      select p.search_rowid, c.product_id, c.body from product_search_copy c join products p on p.id = c.product_id`.execute(
    db,
  );
  await sql`drop table product_search_copy`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('products_search_rowid_idx').execute();
  await db.schema.alterTable('products').dropColumn('search_rowid').execute();
}
