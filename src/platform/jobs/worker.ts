import type { Config } from '../../config/config.js';
import type { Cache } from '../cache/cache.js';
import type { Db } from '../db/database.js';
import { OutboxDispatcher } from '../events/dispatcher.js';
import { outboxPruneJob } from '../events/prune.js';
import { type SubscriberRegistry, subscribers } from '../events/subscribers.js';
import { idempotencyPruneJob } from '../http/idempotency.js';
import type { Logger } from '../logging/logger.js';
import { registeredJobs } from './registry.js';
import { type JobDefinition, Scheduler } from './scheduler.js';

export interface Worker {
  dispatcher: OutboxDispatcher;
  scheduler: Scheduler;
  start(): void;
  /** Stops claiming, waits for in-flight deliveries and jobs, and releases leadership. */
  stop(): Promise<void>;
}

/** The background half of Stratus: outbox delivery on every worker, scheduled jobs on one leader. */
export function createWorker(options: {
  db: Db;
  config: Config;
  logger: Logger;
  cache?: Cache;
  registry?: SubscriberRegistry;
  jobs?: JobDefinition[];
}): Worker {
  const { db, config, logger } = options;
  const dispatcher = new OutboxDispatcher({
    db,
    logger: logger.child({ component: 'outbox' }),
    registry: options.registry ?? subscribers,
    ...(options.cache ? { cache: options.cache } : {}),
    ...config.outbox,
  });
  const scheduler = new Scheduler({
    db,
    logger: logger.child({ component: 'scheduler' }),
    jobs: options.jobs ?? [outboxPruneJob, idempotencyPruneJob, ...registeredJobs()],
  });
  return {
    dispatcher,
    scheduler,
    start() {
      dispatcher.start();
      scheduler.start();
    },
    async stop() {
      await Promise.all([dispatcher.stop(), scheduler.stop()]);
    },
  };
}
