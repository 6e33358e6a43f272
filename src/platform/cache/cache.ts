/**
 * Key/value cache with tag-based invalidation. The default is an in-process LRU; with `REDIS_URL` it
 * is that LRU in front of Redis, and invalidations reach every node through Redis pub/sub.
 *
 * @example
 *   await cache.set(`product:${id}`, body, { ttlMs: 60_000, tags: [`product:${id}`] });
 *   await cache.invalidateTags([`product:${id}`]); // on every node
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * This node's copy only, synchronously, for the hottest paths; a miss is not counted (the `get` that
   * follows one counts it).
   */
  peekLocal<T>(key: string): T | undefined;
  set<T>(key: string, value: T, options?: CacheSetOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /** Drops every entry carrying any of `tags`, here and on every other node. */
  invalidateTags(tags: string[]): Promise<void>;
  stats(): CacheStats;
  /** Checks the backing store; throws when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface CacheSetOptions {
  ttlMs?: number;
  tags?: string[];
}

export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
}
