import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { CatalogErrors } from './catalog.errors.js';
import { basePrices, setPrices } from './catalog.prices.js';
import type { ProductCreate, ProductDocument, ProductUpdate, VariantInput } from './catalog.schemas.js';
import { indexSearch, searchBody, unindexSearch } from './catalog.search.js';
import type { ProductsTable, ProductVariantsTable } from './catalog.tables.js';
import {
  defaultVariantTitle,
  type FieldProblem,
  normalisePrices,
  productProblems,
  slugify,
  variantOptionProblems,
} from './catalog.validate.js';

/** Cache tags: one per product (its detail and every list page showing it), one for all lists. */
export const LISTS_TAG = 'catalog:lists';
export const productTag = (id: string) => `product:${id}`;

export interface WriteResult<T> {
  value: T;
  /** Cache tags to drop once the transaction has committed. */
  invalidate: string[];
}

type ProductRow = Selectable<ProductsTable>;
type VariantRow = Selectable<ProductVariantsTable>;

export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

export function renderDocument(row: ProductRow, variants: VariantRow[]): ProductDocument {
  return {
    id: row.id,
    handle: row.handle,
    status: row.status,
    title: row.title,
    subtitle: row.subtitle,
    description: row.description,
    seo_title: row.seo_title,
    seo_description: row.seo_description,
    product_type: row.product_type,
    tags: parseJson(row.tags),
    options: parseJson(row.options),
    media: parseJson(row.media),
    attributes: parseJson(row.attributes),
    translations: parseJson(row.translations),
    category_ids: parseJson(row.category_ids),
    collection_ids: parseJson(row.collection_ids),
    variants: variants
      .sort((a, b) => a.position - b.position)
      .map((v) => ({
        id: v.id,
        sku: v.sku,
        barcode: v.barcode,
        title: v.title,
        weight_grams: v.weight_grams,
        options: parseJson(v.options),
        tax_class_id: v.tax_class_id,
        translations: parseJson(v.translations),
        position: v.position,
      })),
    created_at: row.created_at,
    updated_at: row.updated_at,
    published_at: row.published_at,
  };
}

function invalid(problems: FieldProblem[]): never {
  const first = problems[0]!;
  throw new AppError(
    CatalogErrors.INVALID_PRODUCT,
    `Invalid product: ${first.field} ${first.message}`,
    problems,
  );
}

async function linkProblems(
  trx: DbOrTrx,
  categoryIds: string[],
  collectionIds: string[],
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (categoryIds.length > 0) {
    const found = new Set(
      (await trx.selectFrom('categories').select('id').where('id', 'in', categoryIds).execute()).map(
        (r) => r.id,
      ),
    );
    for (const id of categoryIds)
      if (!found.has(id)) problems.push({ field: 'body.category_ids', message: `unknown category ${id}` });
  }
  if (collectionIds.length > 0) {
    const found = new Set(
      (await trx.selectFrom('collections').select('id').where('id', 'in', collectionIds).execute()).map(
        (r) => r.id,
      ),
    );
    for (const id of collectionIds)
      if (!found.has(id))
        problems.push({ field: 'body.collection_ids', message: `unknown collection ${id}` });
  }
  return problems;
}

async function assertHandleFree(trx: Trx, handle: string, exceptId?: string): Promise<void> {
  let query = trx.selectFrom('products').select('id').where('handle', '=', handle);
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst())
    throw new AppError(CatalogErrors.HANDLE_TAKEN, `The handle "${handle}" is already used`, [
      { field: 'body.handle', message: 'is taken' },
    ]);
}

async function assertSkusFree(trx: Trx, skus: string[], exceptVariantId?: string): Promise<void> {
  if (skus.length === 0) return;
  let query = trx.selectFrom('product_variants').select('sku').where('sku', 'in', skus);
  if (exceptVariantId) query = query.where('id', '!=', exceptVariantId);
  const taken = await query.executeTakeFirst();
  if (taken)
    throw new AppError(CatalogErrors.SKU_TAKEN, `The SKU "${taken.sku}" is already used`, [
      { field: 'sku', message: 'is taken' },
    ]);
}

function variantRow(
  productId: string,
  input: VariantInput,
  options: ProductDocument['options'],
  position: number,
  at: string,
): VariantRow {
  const values = input.options ?? {};
  return {
    id: newId('variant'),
    product_id: productId,
    sku: input.sku ?? null,
    barcode: input.barcode ?? null,
    title: input.title ?? defaultVariantTitle(values, options),
    weight_grams: input.weight_grams ?? null,
    options: JSON.stringify(values),
    tax_class_id: input.tax_class_id ?? null,
    translations: JSON.stringify(input.translations ?? {}),
    position,
    created_at: at,
    updated_at: at,
  };
}

/**
 * Rewrites everything derived from a product's rows: the storefront document, the filter link tables,
 * the option values, the search body and the price index. Called by every write, in its transaction.
 */
export async function syncProduct(trx: Trx, productId: string): Promise<ProductDocument> {
  const row = await trx
    .selectFrom('products')
    .selectAll()
    .where('id', '=', productId)
    .executeTakeFirstOrThrow();
  const variants = await trx
    .selectFrom('product_variants')
    .selectAll()
    .where('product_id', '=', productId)
    .execute();
  const doc = renderDocument(row, variants);
  await trx
    .updateTable('products')
    .set({ document: JSON.stringify(doc) })
    .where('id', '=', productId)
    .execute();
  for (const table of [
    'product_categories',
    'product_collections',
    'product_tags',
    'product_option_values',
    'product_prices',
  ] as const) {
    await trx.deleteFrom(table).where('product_id', '=', productId).execute();
  }
  const links = [
    ['product_categories', doc.category_ids],
    ['product_collections', doc.collection_ids],
    ['product_tags', doc.tags],
  ] as const;
  for (const [table, refs] of links) {
    if (refs.length > 0)
      await trx
        .insertInto(table)
        .values([...new Set(refs)].map((ref) => ({ product_id: productId, ref })))
        .execute();
  }
  const optionValues = new Map<string, { product_id: string; name: string; value: string }>();
  for (const v of doc.variants)
    for (const [name, value] of Object.entries(v.options))
      optionValues.set(`${name}\u0000${value}`, { product_id: productId, name, value });
  if (optionValues.size > 0)
    await trx
      .insertInto('product_option_values')
      .values([...optionValues.values()])
      .execute();
  await indexSearch(trx, row, searchBody(doc));
  const prices = await basePrices(
    trx,
    doc.variants.map((v) => v.id),
  );
  // The price index serves storefront lists only, so it holds published products only.
  const ranges = doc.status === 'published' ? priceRanges(productId, [...prices.values()].flat()) : [];
  if (ranges.length > 0) await trx.insertInto('product_prices').values(ranges).execute();
  return doc;
}

/** Recomputes the min/max price index of products whose prices the pricing module changed. */
export async function refreshPriceIndex(trx: Trx, productIds: string[]): Promise<void> {
  for (let i = 0; i < productIds.length; i += 500) {
    const chunk = productIds.slice(i, i + 500);
    const variants = await trx
      .selectFrom('product_variants as v')
      .innerJoin('products as p', 'p.id', 'v.product_id')
      .select(['v.id', 'v.product_id'])
      .where('v.product_id', 'in', chunk)
      .where('p.status', '=', 'published')
      .execute();
    const prices = await basePrices(
      trx,
      variants.map((v) => v.id),
    );
    await trx.deleteFrom('product_prices').where('product_id', 'in', chunk).execute();
    const rows = chunk.flatMap((productId) =>
      priceRanges(
        productId,
        variants.filter((v) => v.product_id === productId).flatMap((v) => prices.get(v.id) ?? []),
      ),
    );
    for (let j = 0; j < rows.length; j += 1000)
      await trx
        .insertInto('product_prices')
        .values(rows.slice(j, j + 1000))
        .execute();
  }
}

export function priceRanges(productId: string, prices: Array<{ currency_code: string; amount: number }>) {
  const byCurrency = new Map<
    string,
    { product_id: string; currency_code: string; min_amount: number; max_amount: number }
  >();
  for (const { currency_code, amount } of prices) {
    const range = byCurrency.get(currency_code);
    if (!range)
      byCurrency.set(currency_code, {
        product_id: productId,
        currency_code,
        min_amount: amount,
        max_amount: amount,
      });
    else {
      range.min_amount = Math.min(range.min_amount, amount);
      range.max_amount = Math.max(range.max_amount, amount);
    }
  }
  return [...byCurrency.values()];
}

export async function createProduct(db: Db, input: ProductCreate): Promise<WriteResult<ProductDocument>> {
  const problems = productProblems(input, input.variants);
  if (problems.length > 0) invalid(problems);
  const prices = input.variants.map((v, i) => normalisePrices(v.prices ?? [], `body.variants[${i}].prices`));
  const doc = await inTransaction(db, async (trx) => {
    const linkIssues = await linkProblems(trx, input.category_ids ?? [], input.collection_ids ?? []);
    if (linkIssues.length > 0) invalid(linkIssues);
    const handle = input.handle ?? (await freeHandle(trx, slugify(input.title)));
    await assertHandleFree(trx, handle);
    await assertSkusFree(
      trx,
      input.variants.flatMap((v) => (v.sku ? [v.sku] : [])),
    );
    const at = now();
    const id = newId('prod');
    const status = input.status ?? 'draft';
    await trx
      .insertInto('products')
      .values({
        id,
        handle,
        status,
        title: input.title,
        subtitle: input.subtitle ?? null,
        description: input.description ?? '',
        seo_title: input.seo_title ?? null,
        seo_description: input.seo_description ?? null,
        product_type: input.product_type ?? null,
        tags: JSON.stringify([...new Set(input.tags ?? [])]),
        options: JSON.stringify(input.options ?? []),
        media: JSON.stringify(input.media ?? []),
        attributes: JSON.stringify(input.attributes ?? []),
        translations: JSON.stringify(input.translations ?? {}),
        category_ids: JSON.stringify([...new Set(input.category_ids ?? [])]),
        collection_ids: JSON.stringify([...new Set(input.collection_ids ?? [])]),
        sales_count: 0,
        document: '{}',
        created_at: at,
        updated_at: at,
        published_at: status === 'published' ? at : null,
      })
      .execute();
    const rows = input.variants.map((v, i) => variantRow(id, v, input.options ?? [], i, at));
    await trx.insertInto('product_variants').values(rows).execute();
    const priced = rows.flatMap((row, i) =>
      prices[i]!.length > 0 ? [{ variant_id: row.id, prices: prices[i]! }] : [],
    );
    await setPrices(trx, priced);
    const doc = await syncProduct(trx, id);
    await emit(trx, {
      topic: 'product.created',
      payload: { id, handle, status, variant_ids: rows.map((r) => r.id) },
    });
    return doc;
  });
  return { value: doc, invalidate: [productTag(doc.id), LISTS_TAG] };
}

async function freeHandle(trx: Trx, base: string): Promise<string> {
  const taken = new Set(
    (
      await trx
        .selectFrom('products')
        .select('handle')
        .where((eb) => eb.or([eb('handle', '=', base), eb('handle', 'like', `${base}-%`)]))
        .execute()
    ).map((r) => r.handle),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The product row, locked until the transaction ends (FOR UPDATE on PostgreSQL; SQLite holds the write lock). */
async function lockProduct(trx: Trx, id: string): Promise<ProductRow> {
  const row = await lockRows(
    trx,
    trx.selectFrom('products').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Product ${id} not found`);
  return row;
}

async function loadProduct(trx: DbOrTrx, id: string): Promise<ProductRow> {
  const row = await trx.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Product ${id} not found`);
  return row;
}

/** Fields whose change can move a product into or out of a list, or reorder one. */
const LIST_FIELDS = [
  'status',
  'title',
  'tags',
  'options',
  'category_ids',
  'collection_ids',
  'product_type',
  'translations',
  'handle',
  'description',
  'subtitle',
] as const;

export async function updateProduct(
  db: Db,
  id: string,
  patch: ProductUpdate,
): Promise<WriteResult<ProductDocument>> {
  const result = await inTransaction(db, async (trx) => {
    const row = await lockProduct(trx, id);
    const current = renderDocument(
      row,
      await trx.selectFrom('product_variants').selectAll().where('product_id', '=', id).execute(),
    );
    const { variant_options: variantOptions = {}, ...fields } = patch;
    const next = { ...current, ...stripUndefined(fields) } as ProductDocument;
    const problems = productProblems(
      next,
      current.variants.map((v) => ({ options: variantOptions[v.id] ?? v.options, sku: v.sku })),
    );
    for (const variantId of Object.keys(variantOptions))
      if (!current.variants.some((v) => v.id === variantId))
        problems.push({
          field: `body.variant_options.${variantId}`,
          message: 'is not a variant of this product',
        });
    problems.push(...(await linkProblems(trx, patch.category_ids ?? [], patch.collection_ids ?? [])));
    if (problems.length > 0) invalid(problems);
    if (patch.handle && patch.handle !== row.handle) await assertHandleFree(trx, patch.handle, id);
    const at = now();
    const set: Partial<ProductRow> = { updated_at: at };
    for (const key of [
      'handle',
      'status',
      'title',
      'subtitle',
      'description',
      'seo_title',
      'seo_description',
      'product_type',
    ] as const) {
      if (patch[key] !== undefined) (set as Record<string, unknown>)[key] = patch[key];
    }
    for (const key of [
      'tags',
      'options',
      'media',
      'attributes',
      'translations',
      'category_ids',
      'collection_ids',
    ] as const) {
      if (patch[key] !== undefined)
        set[key] = JSON.stringify(
          Array.isArray(patch[key]) && key !== 'options' && key !== 'media' && key !== 'attributes'
            ? [...new Set(patch[key] as string[])]
            : patch[key],
        );
    }
    if (patch.status === 'published' && !row.published_at) set.published_at = at;
    await trx.updateTable('products').set(set).where('id', '=', id).execute();
    for (const [variantId, values] of Object.entries(variantOptions))
      await trx
        .updateTable('product_variants')
        .set({ options: JSON.stringify(values), updated_at: at })
        .where('id', '=', variantId)
        .where('product_id', '=', id)
        .execute();
    const doc = await syncProduct(trx, id);
    const listChanged =
      Object.keys(variantOptions).length > 0 ||
      LIST_FIELDS.some(
        (key) => patch[key] !== undefined && JSON.stringify(patch[key]) !== JSON.stringify(current[key]),
      );
    await emit(trx, {
      topic: 'product.updated',
      payload: { id, handle: doc.handle, fields: Object.keys(stripUndefined(patch)) },
    });
    return { doc, listChanged };
  });
  return {
    value: result.doc,
    invalidate: result.listChanged ? [productTag(id), LISTS_TAG] : [productTag(id)],
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export async function deleteProduct(db: Db, id: string): Promise<WriteResult<null>> {
  await inTransaction(db, async (trx) => {
    const row = await loadProduct(trx, id);
    try {
      await unindexSearch(trx, id);
      await trx.deleteFrom('products').where('id', '=', id).execute();
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new AppError(
          PlatformErrors.CONFLICT,
          'The product is referenced by other records (orders, carts, stock); archive it instead',
        );
      throw error;
    }
    await emit(trx, { topic: 'product.deleted', payload: { id, handle: row.handle } });
  });
  return { value: null, invalidate: [productTag(id), LISTS_TAG] };
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export async function addVariant(
  db: Db,
  productId: string,
  input: VariantInput,
): Promise<WriteResult<ProductDocument>> {
  const prices = normalisePrices(input.prices ?? [], 'body.prices');
  const doc = await inTransaction(db, async (trx) => {
    const row = await loadProduct(trx, productId);
    const options = parseJson<ProductDocument['options']>(row.options);
    const siblings = await trx
      .selectFrom('product_variants')
      .selectAll()
      .where('product_id', '=', productId)
      .execute();
    const all = [
      ...siblings.map((v) => ({ options: parseJson<Record<string, string>>(v.options), sku: v.sku })),
      input,
    ];
    const problems = productProblems({ options }, all).map((p) => ({
      ...p,
      field: p.field.replace(`body.variants[${all.length - 1}]`, 'body'),
    }));
    if (problems.length > 0) invalid(problems);
    if (input.sku) await assertSkusFree(trx, [input.sku]);
    const at = now();
    const variant = variantRow(
      productId,
      input,
      options,
      Math.max(-1, ...siblings.map((v) => v.position)) + 1,
      at,
    );
    await trx.insertInto('product_variants').values(variant).execute();
    if (prices.length > 0) await setPrices(trx, [{ variant_id: variant.id, prices }]);
    await trx.updateTable('products').set({ updated_at: at }).where('id', '=', productId).execute();
    const doc = await syncProduct(trx, productId);
    await emit(trx, {
      topic: 'product.updated',
      payload: { id: productId, handle: doc.handle, variant_added: variant.id },
    });
    return doc;
  });
  return { value: doc, invalidate: [productTag(productId), LISTS_TAG] };
}

export async function updateVariant(
  db: Db,
  productId: string,
  variantId: string,
  patch: VariantInput,
): Promise<WriteResult<ProductDocument>> {
  const prices = patch.prices === undefined ? undefined : normalisePrices(patch.prices, 'body.prices');
  const doc = await inTransaction(db, async (trx) => {
    const row = await loadProduct(trx, productId);
    const variant = await trx
      .selectFrom('product_variants')
      .selectAll()
      .where('id', '=', variantId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    if (!variant) throw new AppError(PlatformErrors.NOT_FOUND, `Variant ${variantId} not found`);
    const options = parseJson<ProductDocument['options']>(row.options);
    if (patch.options) {
      const problems = variantOptionProblems(options, patch.options, 'body.options');
      if (problems.length > 0) invalid(problems);
    }
    if (patch.sku && patch.sku !== variant.sku) await assertSkusFree(trx, [patch.sku], variantId);
    const at = now();
    await trx
      .updateTable('product_variants')
      .set({
        ...(patch.sku !== undefined ? { sku: patch.sku } : {}),
        ...(patch.barcode !== undefined ? { barcode: patch.barcode } : {}),
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.weight_grams !== undefined ? { weight_grams: patch.weight_grams } : {}),
        ...(patch.options !== undefined ? { options: JSON.stringify(patch.options) } : {}),
        ...(patch.tax_class_id !== undefined ? { tax_class_id: patch.tax_class_id } : {}),
        ...(patch.translations !== undefined ? { translations: JSON.stringify(patch.translations) } : {}),
        updated_at: at,
      })
      .where('id', '=', variantId)
      .execute();
    if (prices) await setPrices(trx, [{ variant_id: variantId, prices }]);
    await trx.updateTable('products').set({ updated_at: at }).where('id', '=', productId).execute();
    const doc = await syncProduct(trx, productId);
    const combos = new Set(doc.variants.map((v) => JSON.stringify(options.map((o) => v.options[o.name]))));
    if (combos.size !== doc.variants.length)
      invalid([{ field: 'body.options', message: 'repeat another variant’s options' }]);
    await emit(trx, {
      topic: 'product.updated',
      payload: { id: productId, handle: doc.handle, variant_updated: variantId },
    });
    return doc;
  });
  return {
    value: doc,
    invalidate: prices || patch.options ? [productTag(productId), LISTS_TAG] : [productTag(productId)],
  };
}

export async function deleteVariant(
  db: Db,
  productId: string,
  variantId: string,
): Promise<WriteResult<ProductDocument>> {
  const doc = await inTransaction(db, async (trx) => {
    await loadProduct(trx, productId);
    const variants = await trx
      .selectFrom('product_variants')
      .select('id')
      .where('product_id', '=', productId)
      .execute();
    if (!variants.some((v) => v.id === variantId))
      throw new AppError(PlatformErrors.NOT_FOUND, `Variant ${variantId} not found`);
    if (variants.length === 1)
      invalid([
        { field: 'variant', message: 'is the product’s last variant; delete or archive the product instead' },
      ]);
    try {
      await trx.deleteFrom('product_variants').where('id', '=', variantId).execute();
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new AppError(
          PlatformErrors.CONFLICT,
          'The variant is referenced by other records (orders, carts, stock)',
        );
      throw error;
    }
    await trx.updateTable('products').set({ updated_at: now() }).where('id', '=', productId).execute();
    const doc = await syncProduct(trx, productId);
    await emit(trx, {
      topic: 'product.updated',
      payload: { id: productId, handle: doc.handle, variant_deleted: variantId },
    });
    return doc;
  });
  return { value: doc, invalidate: [productTag(productId), LISTS_TAG] };
}

/** The product as the admin sees it: every locale's text and each variant's base prices. */
export async function getAdminProduct(db: DbOrTrx, id: string) {
  const row = await loadProduct(db, id);
  const doc = parseJson<ProductDocument>(row.document);
  const prices = await basePrices(
    db,
    doc.variants.map((v) => v.id),
  );
  return { ...doc, variants: doc.variants.map((v) => ({ ...v, prices: prices.get(v.id) ?? [] })) };
}
