import { Counter, Gauge } from 'prom-client';
import type { Cache } from '../cache/cache.js';
import type { Database } from '../db/database.js';
import { outboxBacklog } from '../events/dead-letters.js';
import type { Metrics } from './metrics.js';

/**
 * Families the platform reads at scrape time: DB pool, outbox depth and age per subscriber, job runs
 * and failures (cluster-wide, from `scheduled_jobs`), and cache hits.
 */
export function addPlatformMetrics(metrics: Metrics, database: Database, cache: Cache): void {
  const registers = [metrics.registry];
  const pool = new Gauge({
    name: 'stratus_db_pool_connections',
    help: 'Database connections (PostgreSQL pool) or handles (SQLite) by state.',
    labelNames: ['state'] as const,
    registers,
  });
  const poolWaiting = new Gauge({
    name: 'stratus_db_pool_waiting_requests',
    help: 'Queries waiting for a database connection.',
    registers,
  });
  metrics.onCollect(() => {
    const stats = database.poolStats();
    pool.set({ state: 'total' }, stats.total);
    pool.set({ state: 'idle' }, stats.idle);
    pool.set({ state: 'busy' }, stats.total - stats.idle);
    poolWaiting.set(stats.waiting);
  });

  const depth = new Gauge({
    name: 'stratus_outbox_deliveries',
    help: 'Undelivered outbox deliveries by subscriber and status (pending, processing, dead).',
    labelNames: ['subscriber', 'status'] as const,
    registers,
  });
  const oldest = new Gauge({
    name: 'stratus_outbox_oldest_undelivered_age_seconds',
    help: 'Age of the oldest pending or processing delivery, per subscriber.',
    labelNames: ['subscriber'] as const,
    registers,
  });
  metrics.onCollect(async () => {
    const rows = await outboxBacklog(database.db);
    depth.reset();
    oldest.reset();
    const at = Date.now();
    const ages = new Map<string, number>();
    for (const row of rows) {
      depth.set({ subscriber: row.subscriber, status: row.status }, row.count);
      if (row.status !== 'dead' && row.oldest) {
        const age = Math.max(0, (at - Date.parse(row.oldest)) / 1000);
        ages.set(row.subscriber, Math.max(ages.get(row.subscriber) ?? 0, age));
      }
    }
    for (const [subscriber, age] of ages) oldest.set({ subscriber }, age);
  });

  const runs = new Counter({
    name: 'stratus_job_runs_total',
    help: 'Scheduled job runs across the cluster (from scheduled_jobs).',
    labelNames: ['job_name'] as const,
    registers,
  });
  const failures = new Counter({
    name: 'stratus_job_failures_total',
    help: 'Scheduled job runs that failed across the cluster.',
    labelNames: ['job_name'] as const,
    registers,
  });
  metrics.onCollect(async () => {
    const rows = await database.db
      .selectFrom('scheduled_jobs')
      .select(['name', 'runs', 'failures'])
      .execute();
    runs.reset();
    failures.reset();
    for (const row of rows) {
      runs.inc({ job_name: row.name }, Number(row.runs));
      failures.inc({ job_name: row.name }, Number(row.failures));
    }
  });

  const hits = new Counter({ name: 'stratus_cache_hits_total', help: 'Cache reads served.', registers });
  const misses = new Counter({ name: 'stratus_cache_misses_total', help: 'Cache reads missed.', registers });
  const ratio = new Gauge({
    name: 'stratus_cache_hit_ratio',
    help: 'Hits over reads since the process started.',
    registers,
  });
  const size = new Gauge({ name: 'stratus_cache_entries', help: 'Entries in the local cache.', registers });
  metrics.onCollect(() => {
    const stats = cache.stats();
    hits.reset();
    misses.reset();
    hits.inc(stats.hits);
    misses.inc(stats.misses);
    const reads = stats.hits + stats.misses;
    ratio.set(reads === 0 ? 0 : stats.hits / reads);
    size.set(stats.size);
  });
}
