import type { Cache } from '../../platform/cache/cache.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';
import { getRegion, listRegions, type Region } from './regions.service.js';

const TAG = 'regions';
const TTL_MS = 5 * 60_000;

/**
 * A region from the shared cache (tag `regions`), so hot storefront reads spend no SQL on it. Every
 * region or tax-class write calls `invalidateRegions`, which reaches every node.
 */
export async function getRegionCached(ctx: { db: DbOrTrx; cache: Cache }, id: string): Promise<Region> {
  const key = `region:${id}`;
  const hit = await ctx.cache.get<Region>(key);
  if (hit) return hit;
  const region = await getRegion(ctx.db, id);
  await ctx.cache.set(key, region, { ttlMs: TTL_MS, tags: [TAG] });
  return region;
}

/** The store's default region: the oldest one. Undefined when no region exists yet. */
export async function defaultRegion(db: DbOrTrx): Promise<Region | undefined> {
  return (await listRegions(db, { limit: 1 }))[0];
}

export async function defaultRegionCached(ctx: { db: DbOrTrx; cache: Cache }): Promise<Region | undefined> {
  const hit = await ctx.cache.get<Region>('region:default');
  if (hit) return hit;
  const region = await defaultRegion(ctx.db);
  if (region) await ctx.cache.set('region:default', region, { ttlMs: TTL_MS, tags: [TAG] });
  return region;
}

export function invalidateRegions(cache: Cache): Promise<void> {
  return cache.invalidateTags([TAG]);
}
