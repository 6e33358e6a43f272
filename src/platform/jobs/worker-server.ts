import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { installErrorHandler } from '../http/error-handler.js';
import { probe } from '../http/health.routes.js';
import { metricsRoutes } from '../metrics/metrics.routes.js';
import type { Worker } from './worker.js';

/**
 * What a `stratus worker` serves on STRATUS_WORKER_METRICS_PORT: probes for the orchestrator and the
 * scrape endpoint (job durations and the process's runtime metrics exist only here).
 * - `/health/live`: 200 while the outbox dispatcher and scheduler loops run, 503 once stopped; a
 *   blocked event loop fails it by timing out.
 * - `/health/ready`: 200 when the database (and Redis, when configured) answer and the worker is not
 *   shutting down, 503 otherwise.
 */
export async function workerServer(ctx: AppContext, worker: Worker): Promise<FastifyInstance> {
  const server = Fastify({ logger: false });
  installErrorHandler(server);
  server.get('/health/live', async (_request, reply) =>
    reply
      .code(worker.running ? 200 : 503)
      .send({ status: worker.running ? 'ok' : 'stopped', leader: worker.scheduler.isLeader }),
  );
  server.get('/health/ready', async (_request, reply) => {
    const checks: Record<string, { status: 'ok' | 'failed'; error?: string }> = {
      database: await probe(() => ctx.database.ping()),
    };
    if (ctx.config.redisUrl) checks.redis = await probe(() => ctx.cache.ping());
    const failed = Object.values(checks).some((c) => c.status === 'failed');
    const status = ctx.lifecycle.draining || !worker.running ? 'draining' : failed ? 'failed' : 'ok';
    return reply.code(status === 'ok' ? 200 : 503).send({ status, checks });
  });
  await server.register(metricsRoutes(ctx.metrics, ctx.config.metrics));
  return server;
}
