import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import { UsageRecorder } from '../modules/metering/index.js';
import { workerServer } from '../platform/jobs/worker-server.js';
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
  // Probes and the scrape endpoint (job durations and the process's own runtime metrics live only here).
  let server: FastifyInstance | undefined;
  if (config.workerMetricsPort !== undefined) {
    server = await workerServer(ctx, runtime.worker!);
    await server.listen({ host: config.host, port: config.workerMetricsPort });
  }
  ctx.logger.info(
    { database: config.database.kind, metrics_port: config.workerMetricsPort },
    'Stratus worker started',
  );
  onShutdown(ctx.logger, config.shutdownGraceMs, async () => {
    ctx.lifecycle.draining = true;
    await server?.close();
    await runtime.worker!.stop();
    await usage.stop().catch(() => {});
    await runtime.close();
  });
}
