import type { Cache } from '../../platform/cache/cache.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';
import { getRegion, listRegions, type Region } from '../regions/index.js';

// Same tag as the regions module's own cache, so its invalidation on every region or tax-class
// write drops these entries too, on every node.
const TAG = 'regions';
const TTL_MS = 5 * 60_000;

/** A region from the shared cache: hot cart reads and checkouts spend no SQL on it. */
export async function regionCached(deps: { db: DbOrTrx; cache: Cache }, id: string): Promise<Region> {
  const key = `cart:region:${id}`;
  const hit = await deps.cache.get<Region>(key);
  if (hit) return hit;
  const region = await getRegion(deps.db, id);
  await deps.cache.set(key, region, { ttlMs: TTL_MS, tags: [TAG] });
  return region;
}

/** The store's default region (the oldest), cached; undefined when there is none yet. */
export async function defaultRegionCached(deps: { db: DbOrTrx; cache: Cache }): Promise<Region | undefined> {
  const hit = await deps.cache.get<Region>('cart:region:default');
  if (hit) return hit;
  const [region] = await listRegions(deps.db, { limit: 1 });
  if (region) await deps.cache.set('cart:region:default', region, { ttlMs: TTL_MS, tags: [TAG] });
  return region;
}
