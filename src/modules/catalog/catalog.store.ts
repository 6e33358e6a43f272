import { type Expression, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { Cache } from '../../platform/cache/cache.js';
import { dialectOf } from '../../platform/db/database.js';
import { prepared } from '../../platform/db/prepared.js';
import type { Tables } from '../../platform/db/tables.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.js';
import { getRegion, listRegions, type Region } from '../regions/index.js';
import { localise } from './catalog.locale.js';
import { type Availability, priceAndStock, type ShopperPrice } from './catalog.prices.js';
import { parseJson } from './catalog.products.js';
import type { ProductDocument } from './catalog.schemas.js';
import { ftsMatch, searchCondition } from './catalog.search.js';
import { allCategories, CATEGORIES_TAG } from './catalog.taxonomy.js';

export type StoreSort = 'newest' | 'price_asc' | 'price_desc' | 'best_selling';

export interface StoreListQuery {
  region_id?: string;
  locale?: string;
  limit: number;
  cursor?: string;
  q?: string;
  category_id?: string[];
  collection_id?: string[];
  tag?: string[];
  option?: string[];
  min_price?: number;
  max_price?: number;
  in_stock?: boolean;
  sort?: StoreSort;
  facets?: boolean;
}

const REGION_TTL_MS = 30_000;
const regionMemos = new WeakMap<object, Map<string, { region: Region; until: number }>>();

/**
 * Regions change rarely and every storefront read needs one, so they are memoised per process for
 * 30 s (a region edit reaches product prices within that time; cached product bodies carry the
 * region id in their key).
 */
export async function storeRegion(db: DbOrTrx, regionId: string | undefined): Promise<Region> {
  const key = regionId ?? '';
  const regionMemo = regionMemos.get(db) ?? new Map<string, { region: Region; until: number }>();
  regionMemos.set(db, regionMemo);
  const memo = regionMemo.get(key);
  if (memo && memo.until > Date.now()) return memo.region;
  const region = regionId ? await getRegion(db, regionId) : (await listRegions(db, { limit: 1 }))[0];
  if (!region)
    throw new AppError(PlatformErrors.NOT_FOUND, 'No region is configured; create one in the admin');
  regionMemo.set(key, { region, until: Date.now() + REGION_TTL_MS });
  return region;
}

type StoreVariant = ReturnType<typeof localise>['variants'][number] & {
  price: ShopperPrice | null;
  availability: Availability | null;
};

function priced(
  doc: ProductDocument,
  locale: string,
  region: Region,
  prices: Map<string, ShopperPrice>,
  stock: Map<string, Availability>,
) {
  const product = localise(doc, locale);
  const variants: StoreVariant[] = product.variants.map((v) => ({
    ...v,
    price: prices.get(v.id) ?? null,
    availability: stock.get(v.id) ?? null,
  }));
  const amounts = variants.flatMap((v) => (v.price ? [v.price.amount] : []));
  return {
    ...product,
    variants,
    locale,
    region_id: region.id,
    currency_code: region.currency_code,
    price_range:
      amounts.length > 0 ? { min_amount: Math.min(...amounts), max_amount: Math.max(...amounts) } : null,
    in_stock: variants.some((v) => v.availability?.in_stock),
  };
}

export type StoreProduct = ReturnType<typeof priced>;

const publishedDocument = prepared((db, a: { key: string }, by) =>
  db
    .selectFrom('products')
    .select('document')
    .where(by === 'id' ? 'id' : 'handle', '=', a.key)
    .where('status', '=', 'published'),
);

/** One product, published only, by id (`prod_…`) or handle: one catalog statement. */
export async function storeProduct(
  db: DbOrTrx,
  idOrHandle: string,
  region: Region,
  locale: string,
  /** The shopper's customer groups: their price lists apply too. */
  groups: string[] = [],
): Promise<StoreProduct> {
  const [row] = await publishedDocument(
    db,
    { key: idOrHandle },
    idOrHandle.startsWith('prod_') ? 'id' : 'handle',
  );
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Product ${idOrHandle} not found`);
  const doc = parseJson<ProductDocument>(row.document);
  const { prices, stock } = await priceAndStock(db, doc.variants, region, groups);
  return priced(doc, locale, region, prices, stock);
}

type QueryTables = Tables & { p: Tables['products']; pp: Tables['product_prices'] };
/** `pp` (the price index) is joined only when a price sort or filter needs it. */
type ProductQuery = SelectQueryBuilder<QueryTables, 'p' | 'pp', object>;

async function categorySubtree(db: DbOrTrx, cache: Cache, ids: string[]): Promise<string[]> {
  let tree =
    await cache.get<Array<{ id: string; handle: string; parent_id: string | null }>>('catalog:category-tree');
  if (!tree) {
    tree = (await allCategories(db)).map((c) => ({ id: c.id, handle: c.handle, parent_id: c.parent_id }));
    await cache.set('catalog:category-tree', tree, { tags: [CATEGORIES_TAG], ttlMs: 300_000 });
  }
  const wanted = new Set(tree.filter((c) => ids.includes(c.id) || ids.includes(c.handle)).map((c) => c.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const c of tree)
      if (c.parent_id && wanted.has(c.parent_id) && !wanted.has(c.id)) {
        wanted.add(c.id);
        grew = true;
      }
  }
  return wanted.size > 0 ? [...wanted] : ['(none)'];
}

interface Built {
  query: ProductQuery;
  withPrice: boolean;
  /** SQLite search in newest order: the query walks the FTS index (`product_search.rowid` descending). */
  searchOrdered: boolean;
}

/** The filtered product set (no order, no cursor): shared by the page query and the facet counts. */
async function filtered(db: DbOrTrx, cache: Cache, q: StoreListQuery, region: Region): Promise<Built> {
  const sort = q.sort ?? 'newest';
  const withPrice =
    sort === 'price_asc' || sort === 'price_desc' || q.min_price !== undefined || q.max_price !== undefined;
  const match = q.q && sort === 'newest' && dialectOf(db as never) === 'sqlite' ? ftsMatch(q.q) : null;
  let query: ProductQuery;
  if (sort === 'price_asc' || sort === 'price_desc') {
    // Walk the price index in price order and look each product up (a CROSS JOIN fixes that order on
    // SQLite); starting from products would sort every product of the catalog for each page.
    query = db
      .selectFrom('product_prices as pp')
      .crossJoin('products as p')
      .whereRef('p.id', '=', 'pp.product_id')
      .where('pp.currency_code', '=', region.currency_code)
      .where('p.status', '=', 'published') as unknown as ProductQuery;
  } else if (match !== null) {
    // Newest matches first: walk the FTS index from its newest rowid (rowids follow creation, see
    // nextSearchRowid), look each hit's product up, stop after a page. Collecting every match and
    // sorting it cost about 1 ms for a common word over 10k products.
    const base = db
      .selectFrom('product_search')
      .crossJoin('products as p')
      .whereRef('p.id', '=', 'product_search.product_id')
      .where(sql<SqlBool>`product_search match ${match}`)
      .where('p.status', '=', 'published');
    query = (withPrice
      ? base.innerJoin('product_prices as pp', (join) =>
          join.onRef('pp.product_id', '=', 'p.id').on('pp.currency_code', '=', region.currency_code),
        )
      : base) as unknown as ProductQuery;
  } else {
    const base = db.selectFrom('products as p').where('p.status', '=', 'published');
    query = (withPrice
      ? base.innerJoin('product_prices as pp', (join) =>
          join.onRef('pp.product_id', '=', 'p.id').on('pp.currency_code', '=', region.currency_code),
        )
      : base) as unknown as ProductQuery;
  }
  const conditions: Expression<SqlBool>[] = [];
  const linked = (table: 'product_categories' | 'product_collections' | 'product_tags', refs: string[]) =>
    sql<SqlBool>`p.id in (select product_id from ${sql.table(table)} where ref in (${sql.join(refs)}))`;
  if (q.category_id?.length)
    conditions.push(linked('product_categories', await categorySubtree(db, cache, q.category_id)));
  if (q.collection_id?.length) conditions.push(linked('product_collections', q.collection_id));
  if (q.tag?.length) conditions.push(linked('product_tags', q.tag));
  // An option value such as Size:M usually matches most of the catalog: probing each candidate
  // (EXISTS on the primary key) beats building the set of every matching product (IN), 50× on 10k.
  for (const [name, values] of optionFilters(q.option ?? [])) {
    conditions.push(
      sql<SqlBool>`exists (select 1 from product_option_values o where o.product_id = p.id and o.name = ${name} and o.value in (${sql.join(values)}))`,
    );
  }
  if (q.min_price !== undefined) conditions.push(sql<SqlBool>`pp.max_amount >= ${q.min_price}`);
  if (q.max_price !== undefined) conditions.push(sql<SqlBool>`pp.min_amount <= ${q.max_price}`);
  if (q.q && match === null) {
    const search = searchCondition(dialectOf(db as never), q.q);
    if (search) conditions.push(search);
  }
  for (const condition of conditions) query = query.where(condition);
  return { query, withPrice, searchOrdered: match !== null };
}

/** `Size:M` → name Size, value M; several values of one option are alternatives (OR), options AND. */
function optionFilters(raw: string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const item of raw) {
    const at = item.indexOf(':');
    if (at <= 0 || at === item.length - 1)
      throw new AppError(PlatformErrors.VALIDATION_FAILED, 'option filters look like Name:Value', [
        { field: 'query.option', message: `"${item}" is not Name:Value` },
      ]);
    const name = item.slice(0, at);
    byName.set(name, [...(byName.get(name) ?? []), item.slice(at + 1)]);
  }
  return byName;
}

type SortRow = { id: string; sales_count: number; min_amount?: number; search_key?: number };

interface Sort {
  columns: string[];
  direction: 'asc' | 'desc';
  needsPrice?: boolean;
  /** The row's values of `columns`: the keyset cursor. */
  key(row: SortRow): unknown[];
}

const SEARCH_NEWEST: Sort = {
  columns: ['product_search.rowid'],
  direction: 'desc',
  key: (r) => [r.search_key],
};
const SORTS: Record<StoreSort, Sort> = {
  newest: { columns: ['p.id'], direction: 'desc', key: (r) => [r.id] },
  best_selling: { columns: ['p.sales_count', 'p.id'], direction: 'desc', key: (r) => [r.sales_count, r.id] },
  price_asc: {
    columns: ['pp.min_amount', 'pp.product_id'],
    direction: 'asc',
    needsPrice: true,
    key: (r) => [r.min_amount, r.id],
  },
  price_desc: {
    columns: ['pp.min_amount', 'pp.product_id'],
    direction: 'desc',
    needsPrice: true,
    key: (r) => [r.min_amount, r.id],
  },
};

export interface Facet {
  facet: 'category' | 'collection' | 'tag' | 'option';
  name: string | null;
  value: string;
  count: number;
}

/** A page of published products; prices and stock come from one pricing and one inventory call. */
export async function storeProducts(
  db: DbOrTrx,
  cache: Cache,
  q: StoreListQuery,
  region: Region,
  locale: string,
  /** The shopper's customer groups: their price lists apply too. */
  groups: string[] = [],
) {
  const { query: base, searchOrdered } = await filtered(db, cache, q, region);
  const sort = searchOrdered ? SEARCH_NEWEST : SORTS[q.sort ?? 'newest'];
  const after = decodeCursor(q.cursor, sort.columns.length);
  const selected = base.select(['p.id', 'p.document', 'p.sales_count']);
  let query = (
    sort.needsPrice
      ? selected.select('pp.min_amount')
      : searchOrdered
        ? selected.select(sql<number>`product_search.rowid`.as('search_key'))
        : selected
  ) as SelectQueryBuilder<QueryTables, 'p' | 'pp', SortRow & { document: string }>;
  if (after) {
    const op = sort.direction === 'desc' ? '<' : '>';
    const cols = sort.columns.map((c) => sql.ref(c));
    query = query.where(sql<SqlBool>`(${sql.join(cols)}) ${sql.raw(op)} (${sql.join(after)})`);
  }
  for (const column of sort.columns) query = query.orderBy(sql.ref(column), sort.direction);
  // With in_stock the page is filled from successive windows, since stock lives in another module.
  const out: Array<{ doc: ProductDocument; key: unknown[] }> = [];
  const priceAndStockOf = { prices: new Map<string, ShopperPrice>(), stock: new Map<string, Availability>() };
  let window = query;
  let exhausted = false;
  while (out.length <= q.limit && !exhausted) {
    const batch = q.in_stock ? (q.limit + 1) * 2 : q.limit + 1 - out.length;
    const rows = await window.limit(batch).execute();
    exhausted = rows.length < batch;
    const docs = rows.map((r) => ({
      doc: parseJson<ProductDocument>(r.document),
      key: sort.key(r),
    }));
    const { prices, stock } = await priceAndStock(
      db,
      docs.flatMap((d) => d.doc.variants),
      region,
      groups,
    );
    for (const [k, v] of prices) priceAndStockOf.prices.set(k, v);
    for (const [k, v] of stock) priceAndStockOf.stock.set(k, v);
    for (const d of docs) {
      if (q.in_stock && !d.doc.variants.some((v) => stock.get(v.id)?.in_stock)) continue;
      out.push(d);
      if (out.length > q.limit) break;
    }
    const last = rows[rows.length - 1];
    if (!last || out.length > q.limit) break;
    const lastKey = sort.key(last);
    const op = sort.direction === 'desc' ? '<' : '>';
    window = query.where(
      sql<SqlBool>`(${sql.join(sort.columns.map((c) => sql.ref(c)))}) ${sql.raw(op)} (${sql.join(lastKey)})`,
    );
  }
  const page = out.slice(0, q.limit);
  const data = page.map((d) =>
    summary(priced(d.doc, locale, region, priceAndStockOf.prices, priceAndStockOf.stock)),
  );
  const next_cursor = out.length > q.limit ? encodeCursor(page[page.length - 1]!.key) : null;
  const facets = q.facets ? await facetCounts(db, cache, q, region) : undefined;
  return {
    data,
    next_cursor,
    ...(facets ? { facets } : {}),
    region_id: region.id,
    currency_code: region.currency_code,
  };
}

/** What a product card needs: the cheapest variant's price, stock, the first image. */
function summary(product: StoreProduct) {
  const cheapest = product.variants.reduce<StoreVariant | undefined>(
    (best, v) => (v.price && (!best?.price || v.price.amount < best.price.amount) ? v : best),
    undefined,
  );
  return {
    id: product.id,
    handle: product.handle,
    title: product.title,
    subtitle: product.subtitle,
    product_type: product.product_type,
    tags: product.tags,
    thumbnail: product.media.find((m) => m.kind === 'image')?.url ?? null,
    category_ids: product.category_ids,
    collection_ids: product.collection_ids,
    created_at: product.created_at,
    price: cheapest?.price ?? null,
    price_range: product.price_range,
    in_stock: product.in_stock,
    variant_count: product.variants.length,
  };
}

export type StoreProductSummary = ReturnType<typeof summary>;

/** Counts per facet value over the filtered set (in_stock aside), in one statement. */
async function facetCounts(db: DbOrTrx, cache: Cache, q: StoreListQuery, region: Region): Promise<Facet[]> {
  const { query } = await filtered(db, cache, q, region);
  const ids = query.select('p.id');
  const counted = (table: 'product_categories' | 'product_collections' | 'product_tags', facet: string) =>
    db
      .selectFrom(table)
      .select([
        sql<string>`${sql.lit(facet)}`.as('facet'),
        sql<string | null>`cast(null as text)`.as('name'),
        'ref as value',
        sql<number>`count(*)`.as('count'),
      ])
      .where('product_id', 'in', ids as never)
      .groupBy('ref');
  const options = db
    .selectFrom('product_option_values')
    .select([sql<string>`'option'`.as('facet'), 'name', 'value', sql<number>`count(*)`.as('count')])
    .where('product_id', 'in', ids as never)
    .groupBy(['name', 'value']);
  const rows = await counted('product_categories', 'category')
    .unionAll(counted('product_collections', 'collection') as never)
    .unionAll(counted('product_tags', 'tag') as never)
    .unionAll(options as never)
    .execute();
  return (rows as Facet[]).map((r) => ({
    facet: r.facet,
    name: r.name,
    value: r.value,
    count: Number(r.count),
  }));
}

/** Every published product's handle and last change, for sitemaps: one statement. */
export async function publishedProductHandles(
  db: DbOrTrx,
): Promise<Array<{ handle: string; updated_at: string }>> {
  return db
    .selectFrom('products')
    .select(['handle', 'updated_at'])
    .where('status', '=', 'published')
    .orderBy('id')
    .execute();
}
