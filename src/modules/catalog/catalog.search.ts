import { type Expression, type SqlBool, sql } from 'kysely';
import { type Dialect, dialectOf } from '../../platform/db/database.js';
import type { Trx } from '../../platform/db/transaction.js';
import type { ProductDocument } from './catalog.schemas.js';

/**
 * Search text is folded (lower case, diacritics removed, `ł` → `l`) both when indexed and when
 * queried, so "krzeslo" finds "Krzesło" and "cafe" finds "Café". Every query word matches as a prefix
 * ("krzes" finds "krzesła", "chair" finds "chairs"): cheap tolerance for Polish inflection and English
 * plurals without a stemmer per language. SQLite uses FTS5, PostgreSQL a GIN index over
 * to_tsvector('simple', body); both see the same folded body.
 */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[łŁ]/g, 'l').toLowerCase();
}

/**
 * Inflection endings dropped from a query word before it is matched as a prefix (longest first, only
 * when 4 letters remain): Polish case endings ("krzesła", "krzesłami" find "krzesło") and English
 * plurals ("chairs", "tables" find "chair", "table"). A light stand-in for a stemmer per language.
 */
const ENDINGS = ['ami', 'ach', 'owi', 'ow', 'om', 'em', 'ie', 'es', 'a', 'e', 'i', 'o', 'u', 'y', 's'];

export function stem(term: string): string {
  for (const ending of ENDINGS)
    if (term.endsWith(ending) && term.length - ending.length >= 4) return term.slice(0, -ending.length);
  return term;
}

export function searchTerms(query: string): string[] {
  return foldText(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length > 0)
    .slice(0, 8)
    .map(stem);
}

/** Everything a shopper may type to find the product, in every locale. */
export function searchBody(doc: ProductDocument): string {
  const parts: string[] = [doc.title, doc.subtitle ?? '', doc.product_type ?? '', doc.handle, ...doc.tags];
  for (const text of Object.values(doc.translations)) parts.push(text.title ?? '', text.subtitle ?? '');
  for (const variant of doc.variants)
    parts.push(variant.sku ?? '', variant.title, ...Object.values(variant.options));
  parts.push(doc.description);
  for (const text of Object.values(doc.translations)) parts.push(text.description ?? '');
  return foldText(parts.filter(Boolean).join(' ')).slice(0, 20_000);
}

/** The FTS5 query for a shopper's text (every word as a prefix), or null when it has no searchable word. */
export function ftsMatch(query: string): string | null {
  const terms = searchTerms(query);
  return terms.length === 0 ? null : terms.map((t) => `"${t}"*`).join(' ');
}

/** `product_id IN (matching products)`, or null when the query has no searchable word. */
export function searchCondition(dialect: Dialect, query: string): Expression<SqlBool> | null {
  if (dialect === 'postgres') {
    const terms = searchTerms(query);
    if (terms.length === 0) return null;
    const tsquery = terms.map((t) => `${t}:*`).join(' & ');
    return sql<SqlBool>`p.id in (select product_id from product_search where to_tsvector('simple', body) @@ to_tsquery('simple', ${tsquery}))`;
  }
  const match = ftsMatch(query);
  return match === null
    ? null
    : sql<SqlBool>`p.id in (select product_id from product_search where product_search match ${match})`;
}

/**
 * SQLite: the next free FTS rowid. Each product takes one when first indexed and keeps it for life
 * (`products.search_rowid`), so rowid order is creation order and a search in newest order can walk
 * the FTS index backwards and stop after a page. Writers are serialised, so max + 1 cannot collide.
 */
export async function nextSearchRowid(trx: Trx): Promise<number> {
  const row = await trx
    .selectFrom('products')
    .select((eb) => eb.fn.max('search_rowid').as('last'))
    .executeTakeFirst();
  return Number(row?.last ?? 0) + 1;
}

/** Writes a product's search text, replacing what was there (its FTS rowid stays the same). */
export async function indexSearch(
  trx: Trx,
  product: { id: string; search_rowid: number | null },
  body: string,
): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await trx.deleteFrom('product_search').where('product_id', '=', product.id).execute();
    await trx.insertInto('product_search').values({ product_id: product.id, body }).execute();
    return;
  }
  let rowid = product.search_rowid;
  if (rowid === null) {
    rowid = await nextSearchRowid(trx);
    await trx.updateTable('products').set({ search_rowid: rowid }).where('id', '=', product.id).execute();
  } else {
    // By rowid: the FTS table has no index on product_id, so a delete by it would read every row.
    await trx.deleteFrom('product_search').where('rowid', '=', rowid).execute();
  }
  await trx.insertInto('product_search').values({ rowid, product_id: product.id, body }).execute();
}

/** Removes a product's search text (before the product row goes). */
export async function unindexSearch(trx: Trx, productId: string): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await trx.deleteFrom('product_search').where('product_id', '=', productId).execute();
    return;
  }
  await trx
    .deleteFrom('product_search')
    .where('rowid', '=', (eb) => eb.selectFrom('products').select('search_rowid').where('id', '=', productId))
    .execute();
}
