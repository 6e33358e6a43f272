import type { Config } from '../config/config.js';
import { loadSecrets, type Secrets } from '../config/secrets.js';
import { createAuthenticator, identityDeps } from '../modules/identity/index.js';
import type { Cache } from './cache/cache.js';
import { createCache } from './cache/create-cache.js';
import { keepKeyRingFresh } from './crypto/field-crypto.js';
import { createDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { denyAll } from './http/auth.js';
import type { AppContext } from './http/context.js';
import { createWorker, type Worker } from './jobs/worker.js';
import { createLogger, type Logger } from './logging/logger.js';
import { createMetrics, QueryTimingPlugin } from './metrics/metrics.js';
import { addPlatformMetrics } from './metrics/platform-metrics.js';
import { metricsProviders } from './metrics/providers.js';
import { startTracing } from './tracing/tracing.js';

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
  const metrics = createMetrics();
  const tracing = startTracing(config.tracing);
  // Every statement through ctx.db is timed (and traced when tracing is on).
  const timing = new QueryTimingPlugin(metrics.dbQueryDuration, tracing.enabled ? tracing.tracer : undefined);
  const primary = database.db;
  database.db = primary.withPlugin(timing);
  if (database.reader !== primary) database.reader = database.reader.withPlugin(timing);
  else database.reader = database.db;
  let cache: Cache | undefined;
  try {
    await migrateToLatest(database.db);
    cache = createCache(config.redisUrl, logger, options.cachePrefix);
  } catch (error) {
    await database.destroy();
    throw error;
  }
  // A rotation by another process reaches this one's writes within keyRefreshMs.
  const stopKeyRefresh = keepKeyRingFresh(database.db, secrets, config.keyRefreshMs, (error) =>
    logger.warn({ err: error }, 'key ring refresh failed'),
  );
  addPlatformMetrics(metrics, database, cache);
  for (const provide of metricsProviders()) provide({ metrics, database, config });
  const worker = options.worker
    ? createWorker({ db: database.db, config, secrets, logger, cache, metrics, tracer: tracing.tracer })
    : undefined;
  const ctx: AppContext = {
    config,
    secrets,
    database,
    db: database.db,
    cache,
    logger,
    metrics,
    tracing,
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
      stopKeyRefresh();
      await cache.close();
      await database.destroy();
      await tracing.flush();
    },
  };
}
