import type { Logger } from '../logging/logger.js';
import type { Cache } from './cache.js';
import { MemoryCache } from './memory-cache.js';
import { RedisCache } from './redis-cache.js';

export function createCache(redisUrl: string | undefined, logger: Logger, prefix?: string): Cache {
  return redisUrl ? new RedisCache(redisUrl, { logger, ...(prefix ? { prefix } : {}) }) : new MemoryCache();
}
