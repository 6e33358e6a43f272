import type { Config } from '../config/config.js';
import { loadSecrets, type Secrets } from '../config/secrets.js';
import { createAuthenticator, identityDeps } from '../modules/identity/index.js';
import type { Cache } from './cache/cache.js';
import { createCache } from './cache/create-cache.js';
import { createDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { denyAll } from './http/auth.js';
import type { AppContext } from './http/context.js';
import { createWorker, type Worker } from './jobs/worker.js';
import { createLogger, type Logger } from './logging/logger.js';

export interface Runtime {
  ctx: AppContext;
  worker: Worker | undefined;
  close(): Promise<void>;
}

/**
 * Opens what a process needs (database, cache, optional worker) and migrates the schema. The
 * caller decides whether to serve HTTP on top; `close` releases everything in reverse order.
 */
export async function createRuntime(
  config: Config,
  options: { worker: boolean; logger?: Logger; secrets?: Secrets; cachePrefix?: string },
): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const secrets = options.secrets ?? loadSecrets(config.dataDir);
  const database: Database = createDatabase(config.database);
  let cache: Cache | undefined;
  try {
    await migrateToLatest(database.db);
    cache = createCache(config.redisUrl, logger, options.cachePrefix);
  } catch (error) {
    await database.destroy();
    throw error;
  }
  const worker = options.worker ? createWorker({ db: database.db, config, logger, cache }) : undefined;
  const ctx: AppContext = {
    config,
    secrets,
    database,
    db: database.db,
    cache,
    logger,
    lifecycle: { draining: false },
    auth: denyAll,
    pokeOutbox: () => worker?.dispatcher.poke(),
  };
  // Sessions, staff roles and API keys come from the identity module.
  ctx.auth = createAuthenticator(() => identityDeps(ctx));
  return {
    ctx,
    worker,
    async close() {
      await worker?.stop();
      await cache.close();
      await database.destroy();
    },
  };
}
