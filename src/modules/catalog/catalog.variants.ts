import { prepared } from '../../platform/db/prepared.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/http/errors.js';
import { CatalogErrors } from './catalog.errors.js';
import { parseJson } from './catalog.products.js';

/** What carts, orders and discounts need to know about a variant, without reading catalog tables. */
export interface CatalogVariant {
  id: string;
  product_id: string;
  sku: string | null;
  title: string;
  product_title: string;
  product_handle: string;
  options: Record<string, string>;
  weight_grams: number | null;
  tax_class_id: string | null;
  category_ids: string[];
  collection_ids: string[];
  status: 'draft' | 'published' | 'archived';
}

// Every add-to-cart reads its variant: compiled once per id count (prepared).
const variantRows = prepared((db, a: { ids: string[] }) =>
  db
    .selectFrom('product_variants as v')
    .innerJoin('products as p', 'p.id', 'v.product_id')
    .select([
      'v.id',
      'v.product_id',
      'v.sku',
      'v.title',
      'v.options',
      'v.weight_grams',
      'v.tax_class_id',
      'p.title as product_title',
      'p.handle as product_handle',
      'p.category_ids',
      'p.collection_ids',
      'p.status',
    ])
    .where('v.id', 'in', a.ids),
);

/** The variants found among `ids` (unknown ids are simply absent), in one statement. */
export async function getVariants(db: DbOrTrx, ids: readonly string[]): Promise<CatalogVariant[]> {
  if (ids.length === 0) return [];
  const rows = await variantRows(db, { ids: [...new Set(ids)] });
  return rows.map((r) => ({
    ...r,
    options: parseJson<Record<string, string>>(r.options),
    category_ids: parseJson<string[]>(r.category_ids),
    collection_ids: parseJson<string[]>(r.collection_ids),
  }));
}

/**
 * Refuses ids that name no variant (any status): VARIANT_NOT_FOUND (404) with `details` listing each
 * unknown `variant_id`. For the admin and store calls of pricing and inventory that take variant ids,
 * so a typo is a clear 404 instead of an empty answer or rows about nothing. One statement.
 */
export async function assertVariantsExist(db: DbOrTrx, ids: readonly string[]): Promise<void> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = new Set(
    (await db.selectFrom('product_variants').select('id').where('id', 'in', wanted).execute()).map(
      (r) => r.id,
    ),
  );
  const missing = wanted.filter((id) => !found.has(id));
  if (missing.length > 0)
    throw new AppError(
      CatalogErrors.VARIANT_NOT_FOUND,
      missing.length === 1 ? `Variant ${missing[0]} not found` : `${missing.length} variants not found`,
      missing.map((variant_id) => ({ variant_id })),
    );
}
