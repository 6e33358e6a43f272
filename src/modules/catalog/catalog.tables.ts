import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../platform/db/time.js';

/** JSON columns are TEXT; their shapes live in catalog.types.ts. */
export interface ProductsTable {
  id: string;
  handle: string;
  status: 'draft' | 'published' | 'archived';
  title: string;
  subtitle: string | null;
  description: string;
  seo_title: string | null;
  seo_description: string | null;
  product_type: string | null;
  /** JSON string[] */
  tags: string;
  /** JSON ProductOption[] */
  options: string;
  /** JSON Media[] */
  media: string;
  /** JSON Attribute[] */
  attributes: string;
  /** JSON Translations */
  translations: string;
  /** JSON string[] */
  category_ids: string;
  /** JSON string[] */
  collection_ids: string;
  /** Placeholder for best-selling sort until analytics lands. */
  sales_count: number;
  /**
   * The product with its variants, rendered at write time: the storefront reads one row per product
   * instead of joining five tables (one statement per detail, one per list page).
   */
  document: string;
  /** SQLite: the product's FTS rowid, in creation order and kept for life (see catalog.search.ts). */
  search_rowid: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  published_at: Timestamp | null;
}

export interface ProductVariantsTable {
  id: string;
  product_id: string;
  sku: string | null;
  barcode: string | null;
  title: string;
  weight_grams: number | null;
  /** JSON Record<option name, value> */
  options: string;
  tax_class_id: string | null;
  /** JSON Translations (title) */
  translations: string;
  position: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CategoriesTable {
  id: string;
  parent_id: string | null;
  handle: string;
  name: string;
  description: string;
  translations: string;
  position: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CollectionsTable {
  id: string;
  handle: string;
  title: string;
  description: string;
  translations: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProductLinkTable {
  product_id: string;
  ref: string;
}

export interface ProductOptionValuesTable {
  product_id: string;
  name: string;
  value: string;
}

/** Lowest and highest base variant price per currency, for price filters and sorts. */
export interface ProductPricesTable {
  product_id: string;
  currency_code: string;
  min_amount: number;
  max_amount: number;
}

export interface ProductSearchTable {
  /** SQLite (FTS5) only: the product's `search_rowid`. */
  rowid: ColumnType<number, number | undefined, number>;
  product_id: string;
  body: string;
}

export interface CatalogSettingsTable {
  key: string;
  value: string;
}

export interface CatalogTables {
  products: ProductsTable;
  product_variants: ProductVariantsTable;
  categories: CategoriesTable;
  collections: CollectionsTable;
  product_categories: ProductLinkTable;
  product_collections: ProductLinkTable;
  product_tags: ProductLinkTable;
  product_option_values: ProductOptionValuesTable;
  product_prices: ProductPricesTable;
  product_search: ProductSearchTable;
  catalog_settings: CatalogSettingsTable;
}
