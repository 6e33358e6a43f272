import { type Expression, type SqlBool, sql } from 'kysely';
import type { Dialect } from '../../platform/db/database.js';
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

/** `product_id IN (matching products)`, or null when the query has no searchable word. */
export function searchCondition(dialect: Dialect, query: string): Expression<SqlBool> | null {
  const terms = searchTerms(query);
  if (terms.length === 0) return null;
  if (dialect === 'postgres') {
    const tsquery = terms.map((t) => `${t}:*`).join(' & ');
    return sql<SqlBool>`p.id in (select product_id from product_search where to_tsvector('simple', body) @@ to_tsquery('simple', ${tsquery}))`;
  }
  const match = terms.map((t) => `"${t}"*`).join(' ');
  return sql<SqlBool>`p.id in (select product_id from product_search where product_search match ${match})`;
}
