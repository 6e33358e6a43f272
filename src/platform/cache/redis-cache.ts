import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import type { Cache, CacheSetOptions, CacheStats } from './cache.js';
import { MemoryCache } from './memory-cache.js';

interface Envelope {
  v: unknown;
  t: string[];
}

interface InvalidationMessage {
  from: string;
  tags?: string[];
  keys?: string[];
}

const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * Two levels: this node's LRU in front of Redis, which all nodes share. A write or invalidation on
 * one node is published on a channel, and every node drops the affected entries from its LRU, so no
 * node keeps serving what another has invalidated.
 */
export class RedisCache implements Cache {
  readonly #local: MemoryCache;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #nodeId = randomUUID();
  readonly #ready: Promise<unknown>;
  /** Reads the local LRU missed and Redis answered: hits, not misses, in `stats()`. */
  #sharedHits = 0;

  constructor(url: string, options: { prefix?: string; logger?: Logger; localMaxEntries?: number } = {}) {
    this.#prefix = options.prefix ?? 'stratus:';
    this.#channel = `${this.#prefix}cache:invalidate`;
    this.#local = new MemoryCache({ maxEntries: options.localMaxEntries ?? 20_000, defaultTtlMs: 30_000 });
    this.#redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.#subscriber = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    for (const client of [this.#redis, this.#subscriber]) {
      client.on('error', (error) => options.logger?.warn({ err: error }, 'redis connection error'));
    }
    this.#subscriber.on('message', (_channel, raw) => this.#onMessage(raw));
    this.#ready = this.#subscriber.subscribe(this.#channel);
  }

  /** Resolves once this node listens for invalidations from others. */
  ready(): Promise<unknown> {
    return this.#ready;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const local = this.#local.peek<T>(key);
    if (local !== undefined) return local;
    const raw = await this.#redis.get(this.#key(key));
    if (raw === null) return undefined;
    this.#sharedHits++;
    const envelope = JSON.parse(raw) as Envelope;
    this.#local.store(key, envelope.v, { tags: envelope.t });
    return envelope.v as T;
  }

  peekLocal<T>(key: string): T | undefined {
    return this.#local.peekLocal<T>(key);
  }

  async set<T>(key: string, value: T, options: CacheSetOptions = {}): Promise<void> {
    const tags = options.tags ?? [];
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#local.store(key, value, { tags, ttlMs: Math.min(ttlMs, 30_000) });
    const pipeline = this.#redis
      .multi()
      .set(this.#key(key), JSON.stringify({ v: value, t: tags }), 'PX', ttlMs);
    for (const tag of tags) pipeline.sadd(this.#tagKey(tag), key).pexpire(this.#tagKey(tag), ttlMs * 2);
    await pipeline.exec();
  }

  async delete(key: string): Promise<void> {
    await this.#local.delete(key);
    await this.#redis.del(this.#key(key));
    await this.#publish({ from: this.#nodeId, keys: [key] });
  }

  async invalidateTags(tags: string[]): Promise<void> {
    if (tags.length === 0) return;
    this.#local.dropTags(tags);
    const keySets = await Promise.all(tags.map((tag) => this.#redis.smembers(this.#tagKey(tag))));
    const keys = [...new Set(keySets.flat())].map((k) => this.#key(k));
    const tagKeys = tags.map((tag) => this.#tagKey(tag));
    await this.#redis.del(...keys, ...tagKeys);
    await this.#publish({ from: this.#nodeId, tags });
  }

  /** Both levels: a read is a hit when this node's LRU or Redis had it, a miss when neither did. */
  stats(): CacheStats {
    const local = this.#local.stats();
    return { hits: local.hits + this.#sharedHits, misses: local.misses - this.#sharedHits, size: local.size };
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#subscriber.quit(), this.#redis.quit()]);
    await this.#local.close();
  }

  async #publish(message: InvalidationMessage): Promise<void> {
    await this.#redis.publish(this.#channel, JSON.stringify(message));
  }

  #onMessage(raw: string): void {
    const message = JSON.parse(raw) as InvalidationMessage;
    if (message.from === this.#nodeId) return;
    if (message.tags) this.#local.dropTags(message.tags);
    for (const key of message.keys ?? []) void this.#local.delete(key);
  }

  #key(key: string): string {
    return `${this.#prefix}c:${key}`;
  }

  #tagKey(tag: string): string {
    return `${this.#prefix}t:${tag}`;
  }
}
