import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../src/platform/cache/memory-cache.js';
import { RedisCache } from '../src/platform/cache/redis-cache.js';
import { testRedisUrl } from './helpers/test-context.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('memory cache', () => {
  it('stores, expires and invalidates by tag exactly the tagged entries', async () => {
    const cache = new MemoryCache({ maxEntries: 100 });
    await cache.set('product:1', { title: 'Chair' }, { tags: ['product:prod_1', 'category:cat_1'] });
    await cache.set('product:2', { title: 'Desk' }, { tags: ['product:prod_2', 'category:cat_1'] });
    await cache.set('short', 1, { ttlMs: 20 });
    expect(await cache.get('product:1')).toEqual({ title: 'Chair' });
    await cache.invalidateTags(['product:prod_1']);
    expect(await cache.get('product:1')).toBeUndefined();
    expect(await cache.get('product:2')).toEqual({ title: 'Desk' });
    await cache.invalidateTags(['category:cat_1']);
    expect(await cache.get('product:2')).toBeUndefined();
    await sleep(40);
    expect(await cache.get('short')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 2 });
  });

  it('evicts least recently used entries beyond its size', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.set('a', 1, { tags: ['t'] });
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
  });
});

describe.skipIf(!testRedisUrl)('redis cache across nodes', () => {
  it('shares entries and propagates tag invalidation to every node’s local cache', async () => {
    const prefix = `stratus-test:${Date.now()}:${Math.random()}:`;
    const one = new RedisCache(testRedisUrl!, { prefix });
    const two = new RedisCache(testRedisUrl!, { prefix });
    try {
      await Promise.all([one.ready(), two.ready()]);
      await one.set('product:1', { price: 100 }, { tags: ['product:prod_1'] });
      expect(await two.get('product:1')).toEqual({ price: 100 }); // from Redis, now in two's LRU too
      // Served by Redis is a hit; then by two's own LRU, another; a key nobody has is the one miss.
      expect(two.stats()).toMatchObject({ hits: 1, misses: 0 });
      expect(await two.get('product:1')).toEqual({ price: 100 });
      expect(await two.get('product:none')).toBeUndefined();
      expect(two.stats()).toMatchObject({ hits: 2, misses: 1 });
      await one.invalidateTags(['product:prod_1']);
      for (let i = 0; i < 50 && (await two.get('product:1')) !== undefined; i++) await sleep(10);
      expect(await two.get('product:1')).toBeUndefined();
      await two.ping();
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
