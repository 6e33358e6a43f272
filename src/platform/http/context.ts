import type { Config } from '../../config/config.js';
import type { Secrets } from '../../config/secrets.js';
import type { Cache } from '../cache/cache.js';
import type { Database, Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';

/** What every route plugin receives: explicit dependencies, no container. */
export interface AppContext {
  config: Config;
  secrets: Secrets;
  database: Database;
  db: Db;
  cache: Cache;
  logger: Logger;
  lifecycle: { draining: boolean };
  /** Wakes the in-process outbox dispatcher after a commit, when this node runs one. */
  pokeOutbox(): void;
}
