import Fastify from 'fastify';
import type { Config } from '../config/config.js';
import { UsageRecorder } from '../modules/metering/index.js';
import { installErrorHandler } from '../platform/http/error-handler.js';
import { metricsRoutes } from '../platform/metrics/metrics.routes.js';
import { createRuntime } from '../platform/runtime.js';
import { onShutdown } from './shutdown.js';

/** `stratus worker`: outbox delivery and scheduled jobs without HTTP, so API nodes scale apart. */
export async function worker(config: Config): Promise<void> {
  const runtime = await createRuntime(config, { worker: true });
  const { ctx } = runtime;
  runtime.worker!.start();
  // Workers use CPU too: meter it like an API node's (they answer no requests).
  const usage = new UsageRecorder(ctx.db, async () => 0);
  usage.start(15_000);
  // Optional scrape endpoint: job durations and the process's own runtime metrics live only here.
  let server: ReturnType<typeof Fastify> | undefined;
  if (config.workerMetricsPort !== undefined) {
    server = Fastify({ logger: false });
    installErrorHandler(server);
    server.get('/health/live', async () => ({ status: 'ok' }));
    await server.register(metricsRoutes(ctx.metrics, config.metrics));
    await server.listen({ host: config.host, port: config.workerMetricsPort });
  }
  ctx.logger.info(
    { database: config.database.kind, metrics_port: config.workerMetricsPort },
    'Stratus worker started',
  );
  onShutdown(ctx.logger, config.shutdownGraceMs, async () => {
    await server?.close();
    await runtime.worker!.stop();
    await usage.stop().catch(() => {});
    await runtime.close();
  });
}
