import { CsvError, parse } from 'csv-parse/sync';
import { type Db, dialectOf } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { currencyCode, fromMajor, isCurrency, toMajor } from '../../platform/money/index.js';
import { CatalogErrors } from './catalog.errors.js';
import { type BasePrice, basePrices, setPrices } from './catalog.prices.js';
import {
  LISTS_TAG,
  parseJson,
  priceRanges,
  productTag,
  renderDocument,
  syncProduct,
  type WriteResult,
} from './catalog.products.js';
import type { ProductDocument } from './catalog.schemas.js';
import { nextSearchRowid, searchBody } from './catalog.search.js';
import { productProblems } from './catalog.validate.js';

/** The column set is documented in docs/catalog-csv.md; keep the two in step. */
export const PRODUCT_COLUMNS = [
  'handle',
  'title',
  'status',
  'subtitle',
  'description',
  'seo_title',
  'seo_description',
  'product_type',
  'tags',
  'categories',
  'collections',
  'image_urls',
  'model_url',
  'attributes',
  'option1_name',
  'option2_name',
  'option3_name',
] as const;
export const VARIANT_COLUMNS = [
  'sku',
  'variant_title',
  'option1_value',
  'option2_value',
  'option3_value',
  'barcode',
  'weight_grams',
  'tax_class_id',
] as const;
const TRANSLATABLE = [
  'title',
  'subtitle',
  'description',
  'seo_title',
  'seo_description',
  'variant_title',
] as const;
const TRANSLATION =
  /^(title|subtitle|description|seo_title|seo_description|variant_title)@([a-z]{2}(?:-[A-Z]{2})?)$/;
const PRICE = /^price_([a-z]{3})$/;
const STATUSES = new Set(['draft', 'published', 'archived']);
const MAX_LISTED_ERRORS = 200;

export interface CsvProblem {
  row: number;
  line: number;
  column: string | null;
  message: string;
}

interface ParsedRow {
  row: number;
  line: number;
  cells: Record<string, string>;
}

interface PlannedVariant {
  sku: string;
  title: string;
  options: Record<string, string>;
  barcode: string | null;
  weight_grams: number | null;
  tax_class_id: string | null;
  translations: Record<string, { title?: string }>;
  prices: BasePrice[];
  row: ParsedRow;
}

interface PlannedProduct {
  handle: string;
  first: ParsedRow;
  fields: Omit<
    ProductDocument,
    'id' | 'variants' | 'created_at' | 'updated_at' | 'published_at' | 'category_ids' | 'collection_ids'
  >;
  categoryHandles: string[];
  collectionHandles: string[];
  variants: PlannedVariant[];
}

const list = (value: string) =>
  value
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean);
const orNull = (value: string) => (value === '' ? null : value);

class Problems {
  readonly items: CsvProblem[] = [];
  add(row: ParsedRow, column: string | null, message: string) {
    this.items.push({ row: row.row, line: row.line, column, message });
  }
  throwIfAny(): void {
    if (this.items.length === 0) return;
    const first = this.items[0]!;
    throw new AppError(
      CatalogErrors.CSV_INVALID,
      `CSV rejected with ${this.items.length} error(s); nothing was imported. First: row ${first.row} (line ${first.line})${first.column ? `, ${first.column}` : ''}: ${first.message}`,
      this.items.slice(0, MAX_LISTED_ERRORS),
    );
  }
}

function readCsv(text: string): { header: string[]; rows: ParsedRow[] } {
  let records: Array<{ record: Record<string, string>; info: { lines: number; empty_lines: number } }>;
  let header: string[] = [];
  try {
    records = parse(text, {
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => n.trim());
        return header;
      },
      info: true,
      skip_empty_lines: true,
      trim: false,
    });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as unknown as { lines?: number }).lines ?? 0;
      throw new AppError(CatalogErrors.CSV_INVALID, `The file is not valid CSV: ${error.message}`, [
        { row: Math.max(0, line - 1), line, column: null, message: error.message },
      ]);
    }
    throw error;
  }
  let previousEnd = 1;
  let previousEmpty = 0;
  const rows = records.map(({ record, info }, i) => {
    // csv-parse reports the line a record ends on; a record starts after the previous one (and any
    // blank lines skipped in between).
    const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
    previousEnd = info.lines;
    previousEmpty = info.empty_lines;
    return { row: i + 1, line, cells: record };
  });
  return { header, rows };
}

function checkHeader(header: string[]): void {
  const problems: CsvProblem[] = [];
  const known = new Set<string>([...PRODUCT_COLUMNS, ...VARIANT_COLUMNS]);
  for (const name of header) {
    const price = PRICE.exec(name);
    if (known.has(name) || TRANSLATION.test(name)) continue;
    if (price && isCurrency(price[1]!)) continue;
    problems.push({
      row: 0,
      line: 1,
      column: name,
      message: price ? `unknown currency ${price[1]}` : 'unknown column',
    });
  }
  for (const required of ['handle', 'title', 'sku'])
    if (!header.includes(required))
      problems.push({ row: 0, line: 1, column: required, message: 'required column is missing' });
  if (new Set(header).size !== header.length)
    problems.push({ row: 0, line: 1, column: null, message: 'a column name is repeated' });
  if (problems.length > 0)
    throw new AppError(
      CatalogErrors.CSV_INVALID,
      `CSV header rejected: ${problems[0]!.column} ${problems[0]!.message}`,
      problems,
    );
}

function parseAttributes(value: string): ProductDocument['attributes'] | string {
  const out: ProductDocument['attributes'] = [];
  for (const part of list(value)) {
    const match = /^([a-z0-9_]+):(text|number|boolean|date)=(.*)$/.exec(part);
    if (!match) return `"${part}" is not key:type=value`;
    const [, key, type, raw] = match as unknown as [
      string,
      string,
      'text' | 'number' | 'boolean' | 'date',
      string,
    ];
    if (type === 'number') {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) return `${key} is not a number`;
      out.push({ key, type, value: Number(raw) });
    } else if (type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') return `${key} must be true or false`;
      out.push({ key, type, value: raw === 'true' });
    } else out.push({ key, type, value: raw });
  }
  return out;
}

function modelFormat(url: string): 'gltf' | 'glb' | 'usdz' | null {
  const match = /\.(gltf|glb|usdz)$/i.exec(new URL(url).pathname);
  return match ? (match[1]!.toLowerCase() as 'gltf' | 'glb' | 'usdz') : null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Pass 1: every row on its own, grouped by handle; no database access. */
function plan(header: string[], rows: ParsedRow[], problems: Problems): PlannedProduct[] {
  const products = new Map<string, PlannedProduct>();
  const skus = new Map<string, number>();
  const priceColumns = header.flatMap((h) => {
    const m = PRICE.exec(h);
    return m ? [{ column: h, currency: currencyCode(m[1]!) }] : [];
  });
  const translationColumns = header.flatMap((h) => {
    const m = TRANSLATION.exec(h);
    return m ? [{ column: h, field: m[1] as (typeof TRANSLATABLE)[number], locale: m[2]! }] : [];
  });
  for (const row of rows) {
    const c = (name: string) => (row.cells[name] ?? '').trim();
    const handle = c('handle');
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(handle)) {
      problems.add(row, 'handle', handle ? 'must be lower-case letters, digits and dashes' : 'is required');
      continue;
    }
    let product = products.get(handle);
    if (!product) {
      const title = c('title');
      if (!title) problems.add(row, 'title', 'is required on the first row of a product');
      const status = c('status') || 'draft';
      if (!STATUSES.has(status)) problems.add(row, 'status', 'must be draft, published or archived');
      const media: ProductDocument['media'] = [];
      for (const url of list(c('image_urls'))) {
        if (isHttpUrl(url)) media.push({ url, kind: 'image' });
        else problems.add(row, 'image_urls', `"${url}" is not an http(s) URL`);
      }
      const model = c('model_url');
      if (model) {
        const format = isHttpUrl(model) ? modelFormat(model) : null;
        if (format) media.push({ url: model, kind: 'model', format });
        else problems.add(row, 'model_url', 'must be an http(s) URL of a .gltf, .glb or .usdz file');
      }
      const attributes = parseAttributes(c('attributes'));
      if (typeof attributes === 'string') problems.add(row, 'attributes', attributes);
      const translations: ProductDocument['translations'] = {};
      for (const t of translationColumns) {
        const value = c(t.column);
        if (!value || t.field === 'variant_title') continue;
        translations[t.locale] = { ...translations[t.locale], [t.field]: value };
      }
      const optionNames = ['option1_name', 'option2_name', 'option3_name'].map(c).filter(Boolean);
      product = {
        handle,
        first: row,
        fields: {
          handle,
          status: status as ProductDocument['status'],
          title,
          subtitle: orNull(c('subtitle')),
          description: c('description'),
          seo_title: orNull(c('seo_title')),
          seo_description: orNull(c('seo_description')),
          product_type: orNull(c('product_type')),
          tags: [...new Set(list(c('tags')))],
          options: optionNames.map((name) => ({ name, values: [] })),
          media,
          attributes: typeof attributes === 'string' ? [] : attributes,
          translations,
        },
        categoryHandles: list(c('categories')),
        collectionHandles: list(c('collections')),
        variants: [],
      };
      products.set(handle, product);
    } else {
      // Later rows of a product may leave product columns empty, or repeat them exactly.
      for (const column of [
        'title',
        'status',
        'description',
        'product_type',
        'tags',
        'categories',
        'option1_name',
        'option2_name',
        'option3_name',
      ]) {
        const value = c(column);
        const firstValue = (product.first.cells[column] ?? '').trim();
        if (value && value !== firstValue)
          problems.add(row, column, `differs from the product's first row (line ${product.first.line})`);
      }
    }
    const sku = c('sku');
    if (!sku) problems.add(row, 'sku', 'is required');
    else if (skus.has(sku)) problems.add(row, 'sku', `repeats the SKU of row ${skus.get(sku)}`);
    else skus.set(sku, row.row);
    const options: Record<string, string> = {};
    product.fields.options.forEach((option, i) => {
      const value = c(`option${i + 1}_value`);
      if (!value) problems.add(row, `option${i + 1}_value`, `is required for option "${option.name}"`);
      else {
        options[option.name] = value;
        if (!option.values.includes(value)) option.values.push(value);
      }
    });
    for (let i = product.fields.options.length + 1; i <= 3; i++)
      if (c(`option${i}_value`))
        problems.add(row, `option${i}_value`, `has no option${i}_name on the product's first row`);
    const weight = c('weight_grams');
    if (weight && !/^\d+$/.test(weight)) problems.add(row, 'weight_grams', 'must be a whole number of grams');
    const prices: BasePrice[] = [];
    for (const { column, currency } of priceColumns) {
      const value = c(column);
      if (!value) continue;
      try {
        const amount = fromMajor(value, currency, 'exact');
        if (amount < 0) problems.add(row, column, 'must not be negative');
        else prices.push({ currency_code: currency, amount });
      } catch (error) {
        problems.add(row, column, error instanceof AppError ? error.message : 'is not a price');
      }
    }
    const translations: Record<string, { title?: string }> = {};
    for (const t of translationColumns)
      if (t.field === 'variant_title' && c(t.column)) translations[t.locale] = { title: c(t.column) };
    const title = c('variant_title') || Object.values(options).join(' / ') || 'Default';
    product.variants.push({
      sku,
      title,
      options,
      barcode: orNull(c('barcode')),
      weight_grams: weight ? Number(weight) : null,
      tax_class_id: orNull(c('tax_class_id')),
      translations,
      prices,
      row,
    });
  }
  for (const product of products.values()) {
    for (const problem of productProblems(product.fields, product.variants, 'product'))
      problems.add(
        product.first,
        null,
        `${product.handle}: ${problem.field.replace(/^product\./, '')} ${problem.message}`,
      );
  }
  return [...products.values()];
}

async function idsByHandle(
  trx: Trx,
  table: 'categories' | 'collections',
  handles: string[],
): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  const unique = [...new Set(handles)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await trx
      .selectFrom(table)
      .select(['id', 'handle'])
      .where('handle', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) map.set(r.handle, r.id);
  }
  return map;
}

/**
 * Imports products from CSV, one row per variant (docs/catalog-csv.md). Products match by handle and
 * variants by SKU: new ones are created, existing ones updated; variants missing from the file stay.
 * Everything is validated first, and written in one transaction: any error rejects the whole file
 * with each problem's row and line, and nothing is written.
 */
export async function importProductsCsv(db: Db, text: string) {
  const prepared = prepareImport(text);
  const result = await inTransaction(db, (trx) => writeImport(trx, prepared));
  return {
    value: result.counts,
    invalidate: [LISTS_TAG, ...result.updatedIds.map(productTag)],
  } satisfies WriteResult<typeof result.counts>;
}

export interface PreparedImport {
  products: PlannedProduct[];
  rows: number;
  problems: Problems;
}

/** Parses and checks the file on its own (pass 1); throws CSV_INVALID listing every problem. */
export function prepareImport(text: string): PreparedImport {
  const { header, rows } = readCsv(text);
  return prepareRecords(header, rows);
}

/** Pass 1 over records already in memory (the demo seed builds them without a CSV round trip). */
export function prepareRecords(
  header: string[],
  rows: Array<{ row: number; line: number; cells: Record<string, string> }>,
): PreparedImport {
  checkHeader(header);
  const problems = new Problems();
  const products = plan(header, rows, problems);
  problems.throwIfAny();
  return { products, rows: rows.length, problems };
}

/** Pass 2 (checks against the database) and the writes, inside the caller's transaction. */
export async function writeImport(trx: Trx, prepared: PreparedImport) {
  const { products, problems } = prepared;
  {
    const categories = await idsByHandle(
      trx,
      'categories',
      products.flatMap((p) => p.categoryHandles),
    );
    const collections = await idsByHandle(
      trx,
      'collections',
      products.flatMap((p) => p.collectionHandles),
    );
    const existing = new Map<string, { id: string }>();
    const handles = products.map((p) => p.handle);
    for (let i = 0; i < handles.length; i += 500) {
      const found = await trx
        .selectFrom('products')
        .select(['id', 'handle'])
        .where('handle', 'in', handles.slice(i, i + 500))
        .execute();
      for (const r of found) existing.set(r.handle, { id: r.id });
    }
    const skuOwners = new Map<string, { id: string; product_id: string }>();
    const skus = products.flatMap((p) => p.variants.map((v) => v.sku));
    for (let i = 0; i < skus.length; i += 500) {
      const found = await trx
        .selectFrom('product_variants')
        .select(['id', 'sku', 'product_id'])
        .where('sku', 'in', skus.slice(i, i + 500))
        .execute();
      for (const r of found) skuOwners.set(r.sku!, { id: r.id, product_id: r.product_id });
    }
    for (const p of products) {
      for (const h of p.categoryHandles)
        if (!categories.has(h)) problems.add(p.first, 'categories', `unknown category handle "${h}"`);
      for (const h of p.collectionHandles)
        if (!collections.has(h)) problems.add(p.first, 'collections', `unknown collection handle "${h}"`);
      const productId = existing.get(p.handle)?.id;
      for (const v of p.variants) {
        const owner = skuOwners.get(v.sku);
        if (owner && owner.product_id !== productId)
          problems.add(v.row, 'sku', `"${v.sku}" belongs to another product`);
      }
    }
    problems.throwIfAny();

    const at = now();
    const created = products.filter((p) => !existing.has(p.handle));
    const updated = products.filter((p) => existing.has(p.handle));
    const counts = {
      products_created: created.length,
      products_updated: updated.length,
      variants_created: 0,
      variants_updated: 0,
      rows: prepared.rows,
    };
    const priceEntries: Array<{ variant_id: string; prices: BasePrice[] }> = [];
    const productRows = [];
    const variantRows = [];
    const links: Record<
      'product_categories' | 'product_collections' | 'product_tags',
      Array<{ product_id: string; ref: string }>
    > = {
      product_categories: [],
      product_collections: [],
      product_tags: [],
    };
    const optionRows: Array<{ product_id: string; name: string; value: string }> = [];
    const searchRows: Array<{ rowid?: number; product_id: string; body: string }> = [];
    // SQLite: FTS rowids in creation order, one per new product (see nextSearchRowid).
    let searchRowid = dialectOf(trx) === 'sqlite' ? await nextSearchRowid(trx) : null;
    const rangeRows: ReturnType<typeof priceRanges> = [];
    // New products are written in bulk: their document, links and index rows are built here.
    for (const p of created) {
      const id = newId('prod');
      const row = {
        ...p.fields,
        id,
        subtitle: p.fields.subtitle,
        tags: JSON.stringify(p.fields.tags),
        options: JSON.stringify(p.fields.options),
        media: JSON.stringify(p.fields.media),
        attributes: JSON.stringify(p.fields.attributes),
        translations: JSON.stringify(p.fields.translations),
        category_ids: JSON.stringify([...new Set(p.categoryHandles.map((h) => categories.get(h)!))]),
        collection_ids: JSON.stringify([...new Set(p.collectionHandles.map((h) => collections.get(h)!))]),
        sales_count: 0,
        document: '',
        search_rowid: searchRowid === null ? null : searchRowid++,
        created_at: at,
        updated_at: at,
        published_at: p.fields.status === 'published' ? at : null,
      };
      const variants = p.variants.map((v, position) => ({
        id: newId('variant'),
        product_id: id,
        sku: v.sku,
        barcode: v.barcode,
        title: v.title,
        weight_grams: v.weight_grams,
        options: JSON.stringify(v.options),
        tax_class_id: v.tax_class_id,
        translations: JSON.stringify(v.translations),
        position,
        created_at: at,
        updated_at: at,
      }));
      const doc = renderDocument(row, variants);
      row.document = JSON.stringify(doc);
      productRows.push(row);
      variantRows.push(...variants);
      counts.variants_created += variants.length;
      for (const ref of doc.category_ids) links.product_categories.push({ product_id: id, ref });
      for (const ref of doc.collection_ids) links.product_collections.push({ product_id: id, ref });
      for (const ref of doc.tags) links.product_tags.push({ product_id: id, ref });
      const seen = new Set<string>();
      for (const v of doc.variants)
        for (const [name, value] of Object.entries(v.options)) {
          const key = `${name}\u0000${value}`;
          if (!seen.has(key)) optionRows.push({ product_id: id, name, value });
          seen.add(key);
        }
      const body = searchBody(doc);
      searchRows.push(
        row.search_rowid === null
          ? { product_id: id, body }
          : { rowid: row.search_rowid, product_id: id, body },
      );
      if (p.fields.status === 'published')
        rangeRows.push(
          ...priceRanges(
            id,
            p.variants.flatMap((v) => v.prices),
          ),
        );
      p.variants.forEach((v, i) => {
        if (v.prices.length > 0) priceEntries.push({ variant_id: variants[i]!.id, prices: v.prices });
      });
    }
    await insertChunked(trx, 'products', productRows, 23);
    await insertChunked(trx, 'product_variants', variantRows, 12);
    for (const [table, items] of Object.entries(links))
      await insertChunked(trx, table as keyof typeof links, items, 2);
    await insertChunked(trx, 'product_option_values', optionRows, 3);
    await insertChunked(trx, 'product_search', searchRows, 3);
    await insertChunked(trx, 'product_prices', rangeRows, 4);

    // Existing products are updated one by one through the same path as the admin API.
    for (const p of updated) {
      const id = existing.get(p.handle)!.id;
      const current = await trx
        .selectFrom('product_variants')
        .select(['id', 'sku', 'options'])
        .where('product_id', '=', id)
        .execute();
      const bySku = new Map(current.map((v) => [v.sku, v]));
      // Options keep the values of variants that the file leaves out.
      for (const v of current) {
        if (p.variants.some((pv) => pv.sku === v.sku)) continue;
        const values = parseJson<Record<string, string>>(v.options);
        for (const option of p.fields.options) {
          const value = values[option.name];
          if (value === undefined)
            problems.add(
              p.first,
              null,
              `${p.handle}: variant ${v.sku ?? v.id} (not in the file) has no value for option "${option.name}"`,
            );
          else if (!option.values.includes(value)) option.values.push(value);
        }
      }
      await trx
        .updateTable('products')
        .set({
          title: p.fields.title,
          status: p.fields.status,
          subtitle: p.fields.subtitle,
          description: p.fields.description,
          seo_title: p.fields.seo_title,
          seo_description: p.fields.seo_description,
          product_type: p.fields.product_type,
          tags: JSON.stringify(p.fields.tags),
          options: JSON.stringify(p.fields.options),
          media: JSON.stringify(p.fields.media),
          attributes: JSON.stringify(p.fields.attributes),
          translations: JSON.stringify(p.fields.translations),
          category_ids: JSON.stringify([...new Set(p.categoryHandles.map((h) => categories.get(h)!))]),
          collection_ids: JSON.stringify([...new Set(p.collectionHandles.map((h) => collections.get(h)!))]),
          updated_at: at,
        })
        .where('id', '=', id)
        .execute();
      await trx
        .updateTable('products')
        .set({ published_at: at })
        .where('id', '=', id)
        .where('published_at', 'is', null)
        .where('status', '=', 'published')
        .execute();
      let position = current.length;
      for (const v of p.variants) {
        const values = {
          barcode: v.barcode,
          title: v.title,
          weight_grams: v.weight_grams,
          options: JSON.stringify(v.options),
          tax_class_id: v.tax_class_id,
          translations: JSON.stringify(v.translations),
          updated_at: at,
        };
        const known = bySku.get(v.sku);
        let variantId: string;
        if (known) {
          variantId = known.id;
          await trx.updateTable('product_variants').set(values).where('id', '=', variantId).execute();
          counts.variants_updated++;
        } else {
          variantId = newId('variant');
          await trx
            .insertInto('product_variants')
            .values({
              ...values,
              id: variantId,
              product_id: id,
              sku: v.sku,
              position: position++,
              created_at: at,
            })
            .execute();
          counts.variants_created++;
        }
        if (v.prices.length > 0) priceEntries.push({ variant_id: variantId, prices: v.prices });
      }
    }
    problems.throwIfAny();
    await setPrices(trx, priceEntries);
    for (const p of updated) await syncProduct(trx, existing.get(p.handle)!.id);
    await emit(trx, {
      topic: 'product.imported',
      payload: {
        created: created.length,
        updated: updated.length,
        handles: products.map((p) => p.handle).slice(0, 1000),
      },
    });
    return { counts, updatedIds: updated.map((p) => existing.get(p.handle)!.id) };
  }
}

async function insertChunked<
  T extends
    | 'products'
    | 'product_variants'
    | 'product_categories'
    | 'product_collections'
    | 'product_tags'
    | 'product_option_values'
    | 'product_search'
    | 'product_prices',
>(trx: Trx, table: T, rows: unknown[], columns: number): Promise<void> {
  // Stay under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters a statement.
  const size = Math.max(1, Math.floor(30_000 / columns));
  for (let i = 0; i < rows.length; i += size)
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute();
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Every product, one row per variant, in the import format (so an export re-imports unchanged). */
export async function exportProductsCsv(db: Db): Promise<string> {
  const categories = new Map(
    (await db.selectFrom('categories').select(['id', 'handle']).execute()).map((r) => [r.id, r.handle]),
  );
  const collections = new Map(
    (await db.selectFrom('collections').select(['id', 'handle']).execute()).map((r) => [r.id, r.handle]),
  );
  const docs: ProductDocument[] = [];
  let after: string | undefined;
  for (;;) {
    let query = db.selectFrom('products').select(['id', 'document']).orderBy('id').limit(1000);
    if (after) query = query.where('id', '>', after);
    const rows = await query.execute();
    if (rows.length === 0) break;
    for (const r of rows) docs.push(parseJson<ProductDocument>(r.document));
    after = rows[rows.length - 1]!.id;
  }
  const prices = new Map<string, BasePrice[]>();
  const variantIds = docs.flatMap((d) => d.variants.map((v) => v.id));
  for (let i = 0; i < variantIds.length; i += 1000)
    for (const [k, v] of await basePrices(db, variantIds.slice(i, i + 1000))) prices.set(k, v);
  const currencies = [...new Set([...prices.values()].flat().map((p) => p.currency_code))].sort();
  const locales = [
    ...new Set(
      docs.flatMap((d) => [
        ...Object.keys(d.translations),
        ...d.variants.flatMap((v) => Object.keys(v.translations)),
      ]),
    ),
  ].sort();
  const translationColumns = locales.flatMap((l) => TRANSLATABLE.map((f) => `${f}@${l}`));
  const header = [
    ...PRODUCT_COLUMNS,
    ...VARIANT_COLUMNS,
    ...currencies.map((c) => `price_${c}`),
    ...translationColumns,
  ];
  const lines = [header.join(',')];
  for (const d of docs) {
    const model = d.media.find((m) => m.kind === 'model');
    const product: Record<string, string> = {
      handle: d.handle,
      title: d.title,
      status: d.status,
      subtitle: d.subtitle ?? '',
      description: d.description,
      seo_title: d.seo_title ?? '',
      seo_description: d.seo_description ?? '',
      product_type: d.product_type ?? '',
      tags: d.tags.join('|'),
      categories: d.category_ids.map((id) => categories.get(id) ?? '').join('|'),
      collections: d.collection_ids.map((id) => collections.get(id) ?? '').join('|'),
      image_urls: d.media
        .filter((m) => m.kind === 'image')
        .map((m) => m.url)
        .join('|'),
      model_url: model?.url ?? '',
      attributes: d.attributes.map((a) => `${a.key}:${a.type}=${String(a.value)}`).join('|'),
    };
    d.options.forEach((o, i) => {
      product[`option${i + 1}_name`] = o.name;
    });
    for (const locale of locales)
      for (const field of ['title', 'subtitle', 'description', 'seo_title', 'seo_description'] as const)
        product[`${field}@${locale}`] = d.translations[locale]?.[field] ?? '';
    for (const v of d.variants) {
      const row: Record<string, string> = {
        ...product,
        sku: v.sku ?? '',
        variant_title: v.title,
        barcode: v.barcode ?? '',
        weight_grams: v.weight_grams === null ? '' : String(v.weight_grams),
        tax_class_id: v.tax_class_id ?? '',
      };
      d.options.forEach((o, i) => {
        row[`option${i + 1}_value`] = v.options[o.name] ?? '';
      });
      for (const p of prices.get(v.id) ?? [])
        row[`price_${p.currency_code}`] = toMajor(p.amount, p.currency_code);
      for (const locale of locales) row[`variant_title@${locale}`] = v.translations[locale]?.title ?? '';
      lines.push(header.map((h) => csvCell(row[h] ?? '')).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}
