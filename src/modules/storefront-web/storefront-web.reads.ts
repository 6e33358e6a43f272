import type { DbOrTrx } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/http/errors.js';
import {
  allCategories,
  CATEGORIES_TAG,
  LISTS_TAG,
  localeChain,
  productTag,
  publishedProductHandles,
  type StoreProduct,
  storeProduct,
  storeRegion,
  translate,
} from '../catalog/index.js';
import { escapeHtml, type HeadCategory } from './storefront-web.head.js';

/** A page that was not found is cached under these, so a publish or a new category replaces it. */
export const NOT_FOUND_TAGS = [LISTS_TAG, CATEGORIES_TAG];

const notFound = (error: unknown) => error instanceof AppError && error.status === 404;

/** A published product for its page, or null when there is none (or the region is unknown). */
export async function readProduct(
  db: DbOrTrx,
  handle: string,
  regionId: string | undefined,
  locale: string,
): Promise<{ product: StoreProduct; tags: string[] } | null> {
  try {
    const region = await storeRegion(db, regionId);
    const product = await storeProduct(db, handle, region, locale);
    return { product, tags: [productTag(product.id), LISTS_TAG] };
  } catch (error) {
    if (notFound(error)) return null;
    throw error;
  }
}

export async function findCategory(
  db: DbOrTrx,
  handle: string,
  locale: string,
): Promise<{ category: HeadCategory; tags: string[] } | null> {
  const chain = localeChain(locale);
  const category = (await allCategories(db)).find((c) => c.handle === handle || c.id === handle);
  if (!category) return null;
  return {
    category: {
      handle: category.handle,
      name: translate(category.translations, chain, 'name', category.name),
      description: translate(category.translations, chain, 'description', category.description),
    },
    tags: [CATEGORIES_TAG],
  };
}

/** Home, every category and every published product, with the product's last change. */
export async function sitemapXml(db: DbOrTrx, origin: string): Promise<{ xml: string; tags: string[] }> {
  const [categories, products] = await Promise.all([allCategories(db), publishedProductHandles(db)]);
  const url = (loc: string, lastmod?: string) =>
    `  <url><loc>${escapeHtml(loc)}</loc>${lastmod ? `<lastmod>${lastmod.slice(0, 10)}</lastmod>` : ''}</url>`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    url(`${origin}/`),
    ...categories.map((c) => url(`${origin}/categories/${encodeURIComponent(c.handle)}`, c.updated_at)),
    ...products.map((p) => url(`${origin}/products/${encodeURIComponent(p.handle)}`, p.updated_at)),
    '</urlset>',
    '',
  ];
  return { xml: lines.join('\n'), tags: [LISTS_TAG, CATEGORIES_TAG] };
}
