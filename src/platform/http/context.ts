import type { Config } from '../../config/config.js';
import type { Secrets } from '../../config/secrets.js';
import type { Cache } from '../cache/cache.js';
import type { Database, Db } from '../db/database.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Tracing } from '../tracing/tracing.js';
import type { Authenticator } from './auth.js';

/** What every route plugin receives: explicit dependencies, no container. */
export interface AppContext {
  config: Config;
  secrets: Secrets;
  database: Database;
  db: Db;
  cache: Cache;
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
  lifecycle: { draining: boolean };
  /** Resolves credentials to a principal; replaced when the identity module is wired in. */
  auth: Authenticator;
  /** Wakes the in-process outbox dispatcher after a commit, when this node runs one. */
  pokeOutbox(): void;
}
