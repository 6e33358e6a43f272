import type { ProductDocument } from './catalog.schemas.js';

/** The catalog's own text is written in this locale; translations add others. */
export const DEFAULT_LOCALE = 'en';

/** `pl-PL` falls back to `pl`, then to the default-locale text on the resource itself. */
export function localeChain(locale: string): string[] {
  const base = locale.split('-')[0]!;
  return base === locale ? [locale] : [locale, base];
}

export function translate<F extends string>(
  translations: Record<string, Partial<Record<F, string>>>,
  chain: string[],
  field: F,
  fallback: string,
): string;
export function translate<F extends string>(
  translations: Record<string, Partial<Record<F, string>>>,
  chain: string[],
  field: F,
  fallback: string | null,
): string | null;
export function translate<F extends string>(
  translations: Record<string, Partial<Record<F, string>>>,
  chain: string[],
  field: F,
  fallback: string | null,
): string | null {
  for (const locale of chain) {
    const value = translations[locale]?.[field];
    if (value !== undefined && value !== '') return value;
  }
  return fallback;
}

/** The document with every text field in `locale` (falling back per field), translations dropped. */
export function localise(doc: ProductDocument, locale: string) {
  const chain = localeChain(locale);
  const t = doc.translations;
  return {
    id: doc.id,
    handle: doc.handle,
    title: translate(t, chain, 'title', doc.title),
    subtitle: translate(t, chain, 'subtitle', doc.subtitle),
    description: translate(t, chain, 'description', doc.description),
    seo_title: translate(t, chain, 'seo_title', doc.seo_title),
    seo_description: translate(t, chain, 'seo_description', doc.seo_description),
    product_type: doc.product_type,
    tags: doc.tags,
    options: doc.options,
    media: doc.media,
    attributes: doc.attributes,
    category_ids: doc.category_ids,
    collection_ids: doc.collection_ids,
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    variants: doc.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      barcode: v.barcode,
      title: translate(v.translations, chain, 'title', v.title),
      weight_grams: v.weight_grams,
      options: v.options,
    })),
  };
}
