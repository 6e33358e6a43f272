import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { getRegion } from '../regions/index.js';
import { InventoryErrors } from './inventory.errors.js';
import type { StockLocationTable } from './inventory.tables.js';

export interface StockLocation extends StockLocationTable {
  /** The regions this location ships to. */
  region_ids: string[];
}

export interface StockLocationInput {
  name: string;
  code: string;
  priority?: number;
  active?: boolean;
  region_ids?: string[];
}

async function hydrate(db: DbOrTrx, rows: StockLocationTable[]): Promise<StockLocation[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('stock_location_regions')
    .selectAll()
    .where(
      'location_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('region_id')
    .execute();
  return rows.map((r) => ({
    ...r,
    region_ids: links.filter((l) => l.location_id === r.id).map((l) => l.region_id),
  }));
}

export async function getStockLocation(db: DbOrTrx, id: string): Promise<StockLocation> {
  const row = await db.selectFrom('stock_locations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(InventoryErrors.STOCK_LOCATION_NOT_FOUND, `Stock location ${id} not found`);
  return (await hydrate(db, [row]))[0]!;
}

export async function listStockLocations(
  db: DbOrTrx,
  options: { limit: number; after?: string },
): Promise<StockLocation[]> {
  let query = db.selectFrom('stock_locations').selectAll().orderBy('id').limit(options.limit);
  if (options.after) query = query.where('id', '>', options.after);
  return hydrate(db, await query.execute());
}

async function assertCodeFree(trx: Trx, code: string, exceptId?: string): Promise<void> {
  const other = await trx
    .selectFrom('stock_locations')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirst();
  if (other && other.id !== exceptId)
    throw new AppError(InventoryErrors.STOCK_LOCATION_CODE_TAKEN, `Stock location code ${code} is taken`, [
      { field: 'body.code', message: 'is already used' },
    ]);
}

async function writeRegions(trx: Trx, id: string, regionIds: string[]): Promise<void> {
  const unique = [...new Set(regionIds)];
  for (const regionId of unique) await getRegion(trx, regionId);
  await trx.deleteFrom('stock_location_regions').where('location_id', '=', id).execute();
  if (unique.length > 0)
    await trx
      .insertInto('stock_location_regions')
      .values(unique.map((region_id) => ({ location_id: id, region_id })))
      .execute();
}

export async function createStockLocation(trx: Trx, input: StockLocationInput): Promise<StockLocation> {
  await assertCodeFree(trx, input.code);
  const at = now();
  const id = newId('sloc');
  await trx
    .insertInto('stock_locations')
    .values({
      id,
      name: input.name,
      code: input.code,
      priority: input.priority ?? 100,
      active: input.active === false ? 0 : 1,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await writeRegions(trx, id, input.region_ids ?? []);
  await emit(trx, { topic: 'stock_location.created', payload: { id } });
  return getStockLocation(trx, id);
}

export async function updateStockLocation(
  trx: Trx,
  id: string,
  patch: Partial<StockLocationInput>,
): Promise<StockLocation> {
  const current = await getStockLocation(trx, id);
  if (patch.code !== undefined) await assertCodeFree(trx, patch.code, id);
  await trx
    .updateTable('stock_locations')
    .set({
      name: patch.name ?? current.name,
      code: patch.code ?? current.code,
      priority: patch.priority ?? current.priority,
      active: patch.active === undefined ? current.active : patch.active ? 1 : 0,
      updated_at: now(),
    })
    .where('id', '=', id)
    .execute();
  if (patch.region_ids) await writeRegions(trx, id, patch.region_ids);
  await emit(trx, { topic: 'stock_location.updated', payload: { id } });
  return getStockLocation(trx, id);
}
