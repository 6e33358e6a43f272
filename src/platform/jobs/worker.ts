import type { Tracer } from '@opentelemetry/api';
import type { Config } from '../../config/config.js';
import type { Secrets } from '../../config/secrets.js';
import type { Cache } from '../cache/cache.js';
import type { Db } from '../db/database.js';
import { OutboxDispatcher } from '../events/dispatcher.js';
import { outboxPruneJob } from '../events/prune.js';
import { type SubscriberRegistry, subscribers } from '../events/subscribers.js';
import { idempotencyPruneJob } from '../http/idempotency.js';
import type { Logger } from '../logging/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { inSpan } from '../tracing/tracing.js';
import { registeredJobs } from './registry.js';
import { type JobDefinition, Scheduler } from './scheduler.js';

export interface Worker {
  dispatcher: OutboxDispatcher;
  scheduler: Scheduler;
  /** True from start() until stop() is called: what the worker's liveness probe reports. */
  readonly running: boolean;
  start(): void;
  /** Stops claiming, waits for in-flight deliveries and jobs, and releases leadership. */
  stop(): Promise<void>;
}

/** The background half of Stratus: outbox delivery on every worker, scheduled jobs on one leader. */
export function createWorker(options: {
  db: Db;
  config: Config;
  /** The data key and session secret, for jobs that need them (the backup key must differ). */
  secrets?: Secrets;
  logger: Logger;
  cache?: Cache;
  registry?: SubscriberRegistry;
  jobs?: JobDefinition[];
  metrics?: Metrics;
  tracer?: Tracer;
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
    ...(options.secrets ? { context: { config, secrets: options.secrets } } : {}),
    jobs: (options.jobs ?? [outboxPruneJob, idempotencyPruneJob, ...registeredJobs()]).map((job) =>
      instrument(job, options),
    ),
  });
  let running = false;
  return {
    dispatcher,
    scheduler,
    get running() {
      return running;
    },
    start() {
      dispatcher.start();
      scheduler.start();
      running = true;
    },
    async stop() {
      running = false;
      await Promise.all([dispatcher.stop(), scheduler.stop()]);
    },
  };
}

/** Times each run into `stratus_job_duration_seconds` and wraps it in a `job <name>` span. */
function instrument(job: JobDefinition, options: { metrics?: Metrics; tracer?: Tracer }): JobDefinition {
  const { metrics, tracer } = options;
  if (!metrics && !tracer) return job;
  return {
    ...job,
    run: async (context) => {
      const started = process.hrtime.bigint();
      let status = 'ok';
      try {
        await (tracer ? inSpan(tracer, `job ${job.name}`, () => job.run(context)) : job.run(context));
      } catch (error) {
        status = 'failed';
        throw error;
      } finally {
        metrics?.jobDuration.observe(
          { job_name: job.name, status },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
      }
    },
  };
}
