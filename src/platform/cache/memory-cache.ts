import { LRUCache } from 'lru-cache';
import type { Cache, CacheSetOptions, CacheStats } from './cache.js';

interface Entry {
  value: unknown;
  tags: string[];
}

/** In-process LRU with a tag index; the whole cache on one node, the first level on many. */
export class MemoryCache implements Cache {
  readonly #lru: LRUCache<string, Entry>;
  readonly #keysByTag = new Map<string, Set<string>>();
  #hits = 0;
  #misses = 0;

  constructor(options: { maxEntries?: number; defaultTtlMs?: number } = {}) {
    this.#lru = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 50_000,
      ttl: options.defaultTtlMs ?? 5 * 60_000,
      dispose: (entry, key) => this.#untag(key, entry.tags),
    });
  }

  /** Synchronous read for the hottest paths; counts as a hit or a miss like `get`. */
  peek<T>(key: string): T | undefined {
    const entry = this.#lru.get(key);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    return entry.value as T;
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.peek<T>(key);
  }

  peekLocal<T>(key: string): T | undefined {
    const entry = this.#lru.get(key);
    if (entry === undefined) return undefined;
    this.#hits++;
    return entry.value as T;
  }

  async set<T>(key: string, value: T, options: CacheSetOptions = {}): Promise<void> {
    this.store(key, value, options);
  }

  store(key: string, value: unknown, options: CacheSetOptions = {}): void {
    const tags = options.tags ?? [];
    this.#lru.set(key, { value, tags }, options.ttlMs ? { ttl: options.ttlMs } : undefined);
    for (const tag of tags) {
      const keys = this.#keysByTag.get(tag);
      if (keys) keys.add(key);
      else this.#keysByTag.set(tag, new Set([key]));
    }
  }

  async delete(key: string): Promise<void> {
    this.#lru.delete(key);
  }

  async invalidateTags(tags: string[]): Promise<void> {
    this.dropTags(tags);
  }

  dropTags(tags: string[]): void {
    for (const tag of tags) {
      const keys = this.#keysByTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.#lru.delete(key);
      this.#keysByTag.delete(tag);
    }
  }

  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, size: this.#lru.size };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.#lru.clear();
  }

  #untag(key: string, tags: string[]): void {
    for (const tag of tags) {
      const keys = this.#keysByTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.#keysByTag.delete(tag);
    }
  }
}
