import type { Trx } from '../../platform/db/transaction.js';
import { createStockLocation, getStockLocation, type StockLocation } from './locations.service.js';

/**
 * The default warehouse serving every region that exists now (code `main`); returns the existing one
 * when it is already there. The demo seed sets stock against it with `setStockLevel`.
 */
export async function ensureDefaultStockLocation(trx: Trx): Promise<StockLocation> {
  const existing = await trx
    .selectFrom('stock_locations')
    .select('id')
    .where('code', '=', 'main')
    .executeTakeFirst();
  const regions = await trx.selectFrom('regions').select('id').orderBy('id').execute();
  if (existing) {
    const links = await trx
      .selectFrom('stock_location_regions')
      .select('region_id')
      .where('location_id', '=', existing.id)
      .execute();
    const missing = regions.filter((r) => !links.some((l) => l.region_id === r.id));
    if (missing.length > 0)
      await trx
        .insertInto('stock_location_regions')
        .values(missing.map((r) => ({ location_id: existing.id, region_id: r.id })))
        .execute();
    return getStockLocation(trx, existing.id);
  }
  return createStockLocation(trx, {
    name: 'Main warehouse',
    code: 'main',
    priority: 0,
    region_ids: regions.map((r) => r.id),
  });
}
