import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { divideRounded, fromMajor, toMajor } from '../../platform/money/index.js';
import { adjustStock, createStockLocation } from '../inventory/index.js';
import { createRegion, listRegions } from '../regions/index.js';
import { prepareRecords, writeImport } from './catalog.csv.js';
import { slugify } from './catalog.validate.js';

const DATASET = new URL('../../../datasets/superstore.csv', import.meta.url);
const SEED_KEY = 'demo_seed';

/**
 * Demo prices are the Superstore's USD list prices; the other currencies use fixed demo rates
 * (per 100 USD cents), so the numbers are stable from run to run.
 */
const DEMO_RATES: Array<{ currency: string; per100: number }> = [
  { currency: 'eur', per100: 92 },
  { currency: 'pln', per100: 400 },
  { currency: 'gbp', per100: 79 },
];

const DEMO_REGIONS = [
  {
    name: 'United States',
    currency_code: 'usd',
    tax_inclusive: false,
    default_tax_rate_bp: 0,
    countries: ['us'],
  },
  {
    name: 'Europe',
    currency_code: 'eur',
    tax_inclusive: true,
    default_tax_rate_bp: 2100,
    countries: ['de', 'fr', 'nl', 'es', 'it', 'ie'],
  },
  { name: 'Poland', currency_code: 'pln', tax_inclusive: true, default_tax_rate_bp: 2300, countries: ['pl'] },
  {
    name: 'United Kingdom',
    currency_code: 'gbp',
    tax_inclusive: true,
    default_tax_rate_bp: 2000,
    countries: ['gb'],
  },
];

interface SuperstoreProduct {
  sku: string;
  name: string;
  category: string;
  subCategory: string;
  /** USD cents per unit, before discount: the median over the product's order lines. */
  priceCents: number;
  unitsSold: number;
}

/** Products of the Superstore orders file: one per (Product ID, name), its list price from the order lines. */
export function superstoreProducts(text: string): SuperstoreProduct[] {
  // Arrays rather than objects per record: the file has ~10k lines and this runs on first start.
  const [header, ...rows] = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
  const col = (name: string) => {
    const index = header!.indexOf(name);
    if (index < 0) throw new Error(`superstore.csv has no "${name}" column`);
    return index;
  };
  const [ID, NAME, CATEGORY, SUB, SALES, QUANTITY, DISCOUNT] = [
    'Product ID',
    'Product Name',
    'Category',
    'Sub-Category',
    'Sales',
    'Quantity',
    'Discount',
  ].map(col) as number[];
  const byKey = new Map<
    string,
    { id: string; name: string; category: string; sub: string; prices: number[]; units: number }
  >();
  for (const row of rows) {
    const id = row[ID!]!;
    const name = row[NAME!]!;
    const key = `${id}\u0000${name}`;
    const quantity = Number(row[QUANTITY!]);
    const discountBp = fromMajor(row[DISCOUNT!]!, 'usd') * 100; // "0.2" -> 20 cents -> 2000 bp
    const sales = fromMajor(row[SALES!]!, 'usd');
    if (!(quantity > 0) || discountBp >= 10_000) continue;
    // Sales = quantity × list price × (1 − discount); undo the discount to get the list price.
    const unit = divideRounded(
      BigInt(sales) * 10_000n,
      BigInt(quantity) * BigInt(10_000 - discountBp),
      'half_up',
    );
    const entry = byKey.get(key) ?? {
      id,
      name,
      category: row[CATEGORY!]!,
      sub: row[SUB!]!,
      prices: [],
      units: 0,
    };
    entry.prices.push(unit);
    entry.units += quantity;
    byKey.set(key, entry);
  }
  const seenSku = new Map<string, number>();
  return [...byKey.values()].map((e) => {
    const n = (seenSku.get(e.id) ?? 0) + 1;
    seenSku.set(e.id, n);
    const sorted = e.prices.sort((a, b) => a - b);
    return {
      sku: n === 1 ? e.id : `${e.id}-${n}`,
      name: e.name,
      category: e.category,
      subCategory: e.sub,
      priceCents: sorted[Math.floor(sorted.length / 2)]!,
      unitsSold: e.units,
    };
  });
}

/** Some stock: a stable pseudo-random 0..60 per SKU, with about one product in ten sold out. */
function demoStock(sku: string): number {
  let hash = 0;
  for (const ch of sku) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 10 === 0 ? 0 : 1 + (hash % 60);
}

async function ensureCategories(trx: Trx, products: SuperstoreProduct[]): Promise<void> {
  const at = now();
  const existing = new Set(
    (await trx.selectFrom('categories').select('handle').execute()).map((r) => r.handle),
  );
  const parents = new Map<string, string>();
  const pairs = [...new Set(products.map((p) => `${p.category}\u0000${p.subCategory}`))].sort();
  for (const pair of pairs) {
    const [top, sub] = pair.split('\u0000') as [string, string];
    let parentId = parents.get(top);
    if (!parentId) {
      parentId = newId('pcat');
      parents.set(top, parentId);
      if (!existing.has(slugify(top))) {
        await trx
          .insertInto('categories')
          .values({
            id: parentId,
            parent_id: null,
            handle: slugify(top),
            name: top,
            description: '',
            translations: '{}',
            position: parents.size,
            created_at: at,
            updated_at: at,
          })
          .execute();
        await emit(trx, { topic: 'category.created', payload: { id: parentId, handle: slugify(top) } });
      }
    }
    const handle = `${slugify(top)}-${slugify(sub)}`;
    if (!existing.has(handle)) {
      const id = newId('pcat');
      await trx
        .insertInto('categories')
        .values({
          id,
          parent_id: parentId,
          handle,
          name: sub,
          description: '',
          translations: '{}',
          position: 0,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await emit(trx, { topic: 'category.created', payload: { id, handle } });
    }
  }
}

/**
 * Loads the Superstore demo catalog: its categories and sub-categories, ~1,900 products with USD list
 * prices from the order lines (and EUR/PLN/GBP at demo rates), four regions when none exist, a demo
 * warehouse serving them with some stock. One transaction; records that it ran.
 */
export async function seedDemoCatalog(db: Db, options: { text?: string; signal?: AbortSignal } = {}) {
  const { signal } = options;
  const text = options.text ?? readFileSync(DATASET, 'utf8');
  const products = superstoreProducts(text);
  const handles = new Map<string, number>();
  const header = [
    'handle',
    'title',
    'status',
    'product_type',
    'tags',
    'categories',
    'sku',
    'price_usd',
    ...DEMO_RATES.map((r) => `price_${r.currency}`),
  ];
  const records: Array<{ row: number; line: number; cells: Record<string, string> }> = [];
  for (const p of products) {
    const base = slugify(p.name).slice(0, 120);
    const n = (handles.get(base) ?? 0) + 1;
    handles.set(base, n);
    const converted = DEMO_RATES.map((r) =>
      toMajor(divideRounded(BigInt(p.priceCents) * BigInt(r.per100), 100n, 'half_up'), r.currency),
    );
    const values = [
      n === 1 ? base : `${base}-${n}`,
      p.name,
      'published',
      p.subCategory,
      slugify(p.category),
      `${slugify(p.category)}-${slugify(p.subCategory)}`,
      p.sku,
      toMajor(p.priceCents, 'usd'),
      ...converted,
    ];
    records.push({
      row: records.length + 1,
      line: records.length + 2,
      cells: Object.fromEntries(header.map((h, i) => [h, values[i]!])),
    });
  }
  const prepared = prepareRecords(header, records);
  signal?.throwIfAborted();
  return inTransaction(db, async (trx) => {
    let regionIds = (await listRegions(trx)).map((r) => r.id);
    if (regionIds.length === 0) {
      for (const region of DEMO_REGIONS) regionIds.push((await createRegion(trx, region)).id);
    }
    regionIds = [...new Set(regionIds)];
    await ensureCategories(trx, products);
    signal?.throwIfAborted();
    const counts = await writeImport(trx, prepared);
    signal?.throwIfAborted();
    const location = await createStockLocation(trx, {
      name: 'Demo warehouse',
      code: `demo-${Date.now().toString(36)}`,
      region_ids: regionIds,
    });
    const variants = [];
    const skus = products.map((p) => p.sku);
    for (let i = 0; i < skus.length; i += 500)
      variants.push(
        ...(await trx
          .selectFrom('product_variants')
          .select(['id', 'sku', 'product_id'])
          .where('sku', 'in', skus.slice(i, i + 500))
          .execute()),
      );
    // Fresh variants start at zero on hand, so one adjustment per variant sets its stock (and its ledger row).
    for (const v of variants) {
      signal?.throwIfAborted();
      const quantity = demoStock(v.sku ?? '');
      if (quantity > 0)
        await adjustStock(trx, {
          variant_id: v.id,
          location_id: location.id,
          delta: quantity,
          reason: 'demo seed',
          actor: 'system:seed',
        });
    }
    const sold = new Map(products.map((p) => [p.sku, p.unitsSold]));
    // Units sold in the dataset stand in for best-selling until analytics computes it.
    for (const v of variants) {
      await trx
        .updateTable('products')
        .set({ sales_count: sold.get(v.sku ?? '') ?? 0 })
        .where('id', '=', v.product_id)
        .execute();
    }
    await trx
      .insertInto('catalog_settings')
      .values({ key: SEED_KEY, value: JSON.stringify({ at: now(), products: products.length }) })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ value: JSON.stringify({ at: now(), products: products.length }) }),
      )
      .execute();
    return { ...counts.counts, regions: regionIds.length, location_id: location.id };
  });
}

export async function demoSeeded(db: Db): Promise<boolean> {
  return Boolean(
    await db.selectFrom('catalog_settings').select('key').where('key', '=', SEED_KEY).executeTakeFirst(),
  );
}

/**
 * First start only: seeds when the demo seed never ran and the catalog is empty. Aborting `signal`
 * rolls the seed back (it runs again on the next start).
 */
export async function ensureDemoSeed(
  db: Db,
  options: { signal?: AbortSignal } = {},
): Promise<{ seeded: boolean; ms: number }> {
  const started = performance.now();
  if (await demoSeeded(db)) return { seeded: false, ms: 0 };
  if (await db.selectFrom('products').select('id').limit(1).executeTakeFirst())
    return { seeded: false, ms: 0 };
  await seedDemoCatalog(db, options.signal ? { signal: options.signal } : {});
  return { seeded: true, ms: Math.round(performance.now() - started) };
}
