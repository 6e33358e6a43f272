import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { normalizePrices } from './prices.service.js';
import { PricingErrors } from './pricing.errors.js';
import type { PriceListStatus, PriceListTable, PriceListType } from './pricing.tables.js';

export interface PriceListPrice {
  variant_id: string;
  currency_code: string;
  amount: number;
  min_quantity: number;
}

export interface PriceList extends PriceListTable {
  customer_group_ids: string[];
  prices: PriceListPrice[];
}

export interface PriceListInput {
  name: string;
  description?: string | null;
  type: PriceListType;
  status?: PriceListStatus;
  starts_at?: string | null;
  ends_at?: string | null;
  customer_group_ids?: string[];
  prices?: Array<{ variant_id: string; currency_code: string; amount: number; min_quantity?: number }>;
}

function toIso(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new AppError(PricingErrors.INVALID_DATE_RANGE, `${field} is not a date`, [
      { field: `body.${field}`, message: 'must be an ISO date-time' },
    ]);
  return new Date(time).toISOString();
}

function checkWindow(starts: string | null, ends: string | null): void {
  if (starts && ends && ends <= starts)
    throw new AppError(PricingErrors.INVALID_DATE_RANGE, 'ends_at must be after starts_at', [
      { field: 'body.ends_at', message: 'must be after starts_at' },
    ]);
}

function normalizeListPrices(prices: NonNullable<PriceListInput['prices']>): PriceListPrice[] {
  const byVariant = new Map<
    string,
    Array<{ currency_code: string; amount: number; min_quantity?: number }>
  >();
  for (const p of prices) {
    const list = byVariant.get(p.variant_id) ?? [];
    list.push(p);
    byVariant.set(p.variant_id, list);
  }
  return [...byVariant].flatMap(([variant_id, list]) =>
    normalizePrices(list, `body.prices(${variant_id})`, false).map((p) => ({ variant_id, ...p })),
  );
}

export async function findPriceList(db: DbOrTrx, id: string): Promise<PriceList | undefined> {
  const row = await db.selectFrom('price_lists').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [groups, prices] = await Promise.all([
    db
      .selectFrom('price_list_customer_groups')
      .select('customer_group_id')
      .where('price_list_id', '=', id)
      .execute(),
    db
      .selectFrom('price_list_prices')
      .select(['variant_id', 'currency_code', 'amount', 'min_quantity'])
      .where('price_list_id', '=', id)
      .orderBy('variant_id')
      .orderBy('currency_code')
      .orderBy('min_quantity')
      .execute(),
  ]);
  return { ...row, customer_group_ids: groups.map((g) => g.customer_group_id).sort(), prices };
}

export async function getPriceList(db: DbOrTrx, id: string): Promise<PriceList> {
  const list = await findPriceList(db, id);
  if (!list) throw new AppError(PricingErrors.PRICE_LIST_NOT_FOUND, `Price list ${id} not found`);
  return list;
}

export async function listPriceLists(
  db: DbOrTrx,
  options: { limit: number; after?: string },
): Promise<Array<PriceListTable & { customer_group_ids: string[] }>> {
  let query = db.selectFrom('price_lists').selectAll().orderBy('id').limit(options.limit);
  if (options.after) query = query.where('id', '>', options.after);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const groups = await db
    .selectFrom('price_list_customer_groups')
    .selectAll()
    .where(
      'price_list_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => ({
    ...r,
    customer_group_ids: groups
      .filter((g) => g.price_list_id === r.id)
      .map((g) => g.customer_group_id)
      .sort(),
  }));
}

async function writeGroups(trx: Trx, id: string, groups: string[]): Promise<void> {
  await trx.deleteFrom('price_list_customer_groups').where('price_list_id', '=', id).execute();
  const unique = [...new Set(groups)];
  if (unique.length > 0)
    await trx
      .insertInto('price_list_customer_groups')
      .values(unique.map((customer_group_id) => ({ price_list_id: id, customer_group_id })))
      .execute();
}

async function writePrices(trx: Trx, id: string, prices: PriceListPrice[], replace: boolean): Promise<void> {
  if (replace) await trx.deleteFrom('price_list_prices').where('price_list_id', '=', id).execute();
  for (let i = 0; i < prices.length; i += 1000) {
    await trx
      .insertInto('price_list_prices')
      .values(prices.slice(i, i + 1000).map((p) => ({ price_list_id: id, ...p })))
      .onConflict((oc) =>
        oc.columns(['price_list_id', 'variant_id', 'currency_code', 'min_quantity']).doUpdateSet((eb) => ({
          amount: eb.ref('excluded.amount'),
        })),
      )
      .execute();
  }
}

export async function createPriceList(trx: Trx, input: PriceListInput): Promise<PriceList> {
  const starts_at = toIso(input.starts_at, 'starts_at');
  const ends_at = toIso(input.ends_at, 'ends_at');
  checkWindow(starts_at, ends_at);
  const prices = normalizeListPrices(input.prices ?? []);
  const id = newId('plist');
  const at = now();
  await trx
    .insertInto('price_lists')
    .values({
      id,
      name: input.name,
      description: input.description ?? null,
      type: input.type,
      status: input.status ?? 'active',
      starts_at,
      ends_at,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await writeGroups(trx, id, input.customer_group_ids ?? []);
  await writePrices(trx, id, prices, false);
  await emit(trx, {
    topic: 'price_list.created',
    payload: { id, variant_ids: [...new Set(prices.map((p) => p.variant_id))] },
  });
  return getPriceList(trx, id);
}

export async function updatePriceList(
  trx: Trx,
  id: string,
  patch: Partial<PriceListInput>,
): Promise<PriceList> {
  const current = await getPriceList(trx, id);
  const starts_at = patch.starts_at === undefined ? current.starts_at : toIso(patch.starts_at, 'starts_at');
  const ends_at = patch.ends_at === undefined ? current.ends_at : toIso(patch.ends_at, 'ends_at');
  checkWindow(starts_at, ends_at);
  const prices = patch.prices ? normalizeListPrices(patch.prices) : undefined;
  await trx
    .updateTable('price_lists')
    .set({
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      type: patch.type ?? current.type,
      status: patch.status ?? current.status,
      starts_at,
      ends_at,
      updated_at: now(),
    })
    .where('id', '=', id)
    .execute();
  if (patch.customer_group_ids) await writeGroups(trx, id, patch.customer_group_ids);
  if (prices) await writePrices(trx, id, prices, true);
  const variantIds = new Set([...current.prices, ...(prices ?? [])].map((p) => p.variant_id));
  await emit(trx, { topic: 'price_list.updated', payload: { id, variant_ids: [...variantIds] } });
  return getPriceList(trx, id);
}

/** Adds or changes prices in a list without touching its others. */
export async function upsertPriceListPrices(
  trx: Trx,
  id: string,
  prices: NonNullable<PriceListInput['prices']>,
): Promise<PriceList> {
  await getPriceList(trx, id);
  const normalized = normalizeListPrices(prices);
  await writePrices(trx, id, normalized, false);
  await trx.updateTable('price_lists').set({ updated_at: now() }).where('id', '=', id).execute();
  await emit(trx, {
    topic: 'price_list.updated',
    payload: { id, variant_ids: [...new Set(normalized.map((p) => p.variant_id))] },
  });
  return getPriceList(trx, id);
}

export async function deletePriceList(trx: Trx, id: string): Promise<void> {
  const current = await getPriceList(trx, id);
  await trx.deleteFrom('price_lists').where('id', '=', id).execute();
  await emit(trx, {
    topic: 'price_list.deleted',
    payload: { id, variant_ids: [...new Set(current.prices.map((p) => p.variant_id))] },
  });
}
