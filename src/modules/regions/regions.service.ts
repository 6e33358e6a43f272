import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { describeReferences, referencesTo } from '../../platform/db/references.js';
import { now } from '../../platform/db/time.js';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { currencyCode } from '../../platform/money/index.js';
import { RegionErrors } from './regions.errors.js';
import type { RegionTable, TaxClassTable } from './regions.tables.js';

export interface TaxOverride {
  tax_class_id: string;
  rate_bp: number;
}

export interface Region {
  id: string;
  name: string;
  currency_code: string;
  /** 0/1 as stored; the HTTP layer answers a boolean. */
  tax_inclusive: number;
  default_tax_rate_bp: number;
  countries: string[];
  tax_overrides: TaxOverride[];
  created_at: string;
  updated_at: string;
}

export interface RegionInput {
  name: string;
  currency_code: string;
  tax_inclusive: boolean;
  default_tax_rate_bp: number;
  countries: string[];
  tax_overrides?: TaxOverride[];
}

export type TaxClass = TaxClassTable;

/** The rate that applies to a variant of `taxClassId` (null: no class) in `region`, in basis points. */
export function taxRateFor(
  region: Pick<Region, 'default_tax_rate_bp' | 'tax_overrides'>,
  taxClassId: string | null | undefined,
): number {
  if (taxClassId) {
    const override = region.tax_overrides.find((o) => o.tax_class_id === taxClassId);
    if (override) return override.rate_bp;
  }
  return region.default_tax_rate_bp;
}

async function hydrate(db: DbOrTrx, rows: RegionTable[]): Promise<Region[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [countries, rates] = await Promise.all([
    db
      .selectFrom('region_countries')
      .selectAll()
      .where('region_id', 'in', ids)
      .orderBy('country_code')
      .execute(),
    db
      .selectFrom('region_tax_rates')
      .selectAll()
      .where('region_id', 'in', ids)
      .orderBy('tax_class_id')
      .execute(),
  ]);
  return rows.map((row) => ({
    ...row,
    countries: countries.filter((c) => c.region_id === row.id).map((c) => c.country_code),
    tax_overrides: rates
      .filter((r) => r.region_id === row.id)
      .map((r) => ({ tax_class_id: r.tax_class_id, rate_bp: r.rate_bp })),
  }));
}

export async function findRegion(db: DbOrTrx, id: string): Promise<Region | undefined> {
  const row = await db.selectFrom('regions').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? (await hydrate(db, [row]))[0] : undefined;
}

/** @throws AppError REGION_NOT_FOUND */
export async function getRegion(db: DbOrTrx, id: string): Promise<Region> {
  const region = await findRegion(db, id);
  if (!region) throw new AppError(RegionErrors.REGION_NOT_FOUND, `Region ${id} not found`);
  return region;
}

/** The region a country (ISO alpha-2, any case) belongs to, if any. */
export async function regionForCountry(db: DbOrTrx, countryCode: string): Promise<Region | undefined> {
  const link = await db
    .selectFrom('region_countries')
    .select('region_id')
    .where('country_code', '=', countryCode.toLowerCase())
    .executeTakeFirst();
  return link ? findRegion(db, link.region_id) : undefined;
}

export async function listRegions(
  db: DbOrTrx,
  options: { limit?: number; after?: string } = {},
): Promise<Region[]> {
  let query = db.selectFrom('regions').selectAll().orderBy('id');
  if (options.after) query = query.where('id', '>', options.after);
  if (options.limit) query = query.limit(options.limit);
  return hydrate(db, await query.execute());
}

async function assertTaxClasses(trx: Trx, overrides: TaxOverride[]): Promise<void> {
  const ids = [...new Set(overrides.map((o) => o.tax_class_id))];
  if (ids.length !== overrides.length)
    throw new AppError(PlatformErrors.VALIDATION_FAILED, 'A tax class appears twice in tax_overrides', [
      { field: 'body.tax_overrides', message: 'each tax_class_id may appear once' },
    ]);
  if (ids.length === 0) return;
  const found = await trx.selectFrom('tax_classes').select('id').where('id', 'in', ids).execute();
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0)
    throw new AppError(RegionErrors.UNKNOWN_TAX_CLASS, `Unknown tax class ${missing.join(', ')}`, [
      { field: 'body.tax_overrides', message: `unknown tax_class_id ${missing.join(', ')}` },
    ]);
}

async function writeCountries(trx: Trx, regionId: string, countries: string[]): Promise<void> {
  const codes = [...new Set(countries.map((c) => c.toLowerCase()))];
  await trx.deleteFrom('region_countries').where('region_id', '=', regionId).execute();
  if (codes.length === 0) return;
  const taken = await trx
    .selectFrom('region_countries')
    .select(['country_code', 'region_id'])
    .where('country_code', 'in', codes)
    .execute();
  if (taken.length > 0)
    throw new AppError(
      RegionErrors.COUNTRY_IN_OTHER_REGION,
      `Countries already in another region: ${taken.map((t) => t.country_code).join(', ')}`,
      taken.map((t) => ({ field: 'body.countries', message: `${t.country_code} belongs to ${t.region_id}` })),
    );
  await trx
    .insertInto('region_countries')
    .values(codes.map((country_code) => ({ country_code, region_id: regionId })))
    .execute();
}

async function writeOverrides(trx: Trx, regionId: string, overrides: TaxOverride[]): Promise<void> {
  await assertTaxClasses(trx, overrides);
  await trx.deleteFrom('region_tax_rates').where('region_id', '=', regionId).execute();
  if (overrides.length > 0)
    await trx
      .insertInto('region_tax_rates')
      .values(
        overrides.map((o) => ({ region_id: regionId, tax_class_id: o.tax_class_id, rate_bp: o.rate_bp })),
      )
      .execute();
}

export async function createRegion(trx: Trx, input: RegionInput): Promise<Region> {
  const id = newId('reg');
  const at = now();
  await trx
    .insertInto('regions')
    .values({
      id,
      name: input.name,
      currency_code: currencyCode(input.currency_code),
      tax_inclusive: input.tax_inclusive ? 1 : 0,
      default_tax_rate_bp: input.default_tax_rate_bp,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await writeCountries(trx, id, input.countries);
  await writeOverrides(trx, id, input.tax_overrides ?? []);
  const region = await getRegion(trx, id);
  await emit(trx, { topic: 'region.created', payload: { id, currency_code: region.currency_code } });
  return region;
}

export async function updateRegion(trx: Trx, id: string, patch: Partial<RegionInput>): Promise<Region> {
  await getRegion(trx, id);
  const values: Partial<RegionTable> = { updated_at: now() };
  if (patch.name !== undefined) values.name = patch.name;
  if (patch.currency_code !== undefined) values.currency_code = currencyCode(patch.currency_code);
  if (patch.tax_inclusive !== undefined) values.tax_inclusive = patch.tax_inclusive ? 1 : 0;
  if (patch.default_tax_rate_bp !== undefined) values.default_tax_rate_bp = patch.default_tax_rate_bp;
  await trx.updateTable('regions').set(values).where('id', '=', id).execute();
  if (patch.countries !== undefined) await writeCountries(trx, id, patch.countries);
  if (patch.tax_overrides !== undefined) await writeOverrides(trx, id, patch.tax_overrides);
  const region = await getRegion(trx, id);
  await emit(trx, { topic: 'region.updated', payload: { id } });
  return region;
}

/**
 * Deletes a region nothing live depends on: open orders, active carts and shipping options (each
 * module registers what it keeps, see `registerReference`) make it a 409 that counts them. Past
 * orders keep their own currency and totals, so they do not hold a region back.
 */
export async function deleteRegion(trx: Trx, id: string): Promise<void> {
  await lockRows(trx, trx.selectFrom('regions').select('id').where('id', '=', id)).executeTakeFirst();
  await getRegion(trx, id);
  const uses = await referencesTo(trx, 'region', id);
  if (uses.length)
    throw new AppError(
      RegionErrors.REGION_IN_USE,
      `The region is still in use: ${describeReferences(uses)}`,
      uses,
    );
  await trx.deleteFrom('regions').where('id', '=', id).execute();
  await emit(trx, { topic: 'region.deleted', payload: { id } });
}

export async function listTaxClasses(db: Db | Trx): Promise<TaxClass[]> {
  return db.selectFrom('tax_classes').selectAll().orderBy('code').execute();
}

export async function getTaxClass(db: DbOrTrx, id: string): Promise<TaxClass> {
  const row = await db.selectFrom('tax_classes').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(RegionErrors.TAX_CLASS_NOT_FOUND, `Tax class ${id} not found`);
  return row;
}

async function assertCodeFree(trx: Trx, code: string, exceptId?: string): Promise<void> {
  const other = await trx.selectFrom('tax_classes').select('id').where('code', '=', code).executeTakeFirst();
  if (other && other.id !== exceptId)
    throw new AppError(RegionErrors.TAX_CLASS_CODE_TAKEN, `Tax class code ${code} is taken`, [
      { field: 'body.code', message: 'is already used' },
    ]);
}

export async function createTaxClass(trx: Trx, input: { code: string; name: string }): Promise<TaxClass> {
  await assertCodeFree(trx, input.code);
  const at = now();
  const row = { id: newId('txc'), code: input.code, name: input.name, created_at: at, updated_at: at };
  await trx.insertInto('tax_classes').values(row).execute();
  await emit(trx, { topic: 'tax_class.created', payload: { id: row.id, code: row.code } });
  return row;
}

export async function updateTaxClass(
  trx: Trx,
  id: string,
  patch: { code?: string; name?: string },
): Promise<TaxClass> {
  await getTaxClass(trx, id);
  if (patch.code !== undefined) await assertCodeFree(trx, patch.code, id);
  await trx
    .updateTable('tax_classes')
    .set({ ...patch, updated_at: now() })
    .where('id', '=', id)
    .execute();
  await emit(trx, { topic: 'tax_class.updated', payload: { id } });
  return getTaxClass(trx, id);
}

/** Deletes a tax class no variant uses (409 otherwise); the regions' overrides for it go with it. */
export async function deleteTaxClass(trx: Trx, id: string): Promise<void> {
  await lockRows(trx, trx.selectFrom('tax_classes').select('id').where('id', '=', id)).executeTakeFirst();
  await getTaxClass(trx, id);
  const uses = await referencesTo(trx, 'tax_class', id);
  if (uses.length)
    throw new AppError(
      RegionErrors.TAX_CLASS_IN_USE,
      `The tax class is still in use: ${describeReferences(uses)}`,
      uses,
    );
  await trx.deleteFrom('tax_classes').where('id', '=', id).execute();
  await emit(trx, { topic: 'tax_class.deleted', payload: { id } });
}
