import type { Config } from '../config/config.js';
import { buildApp } from '../platform/http/app.js';
import { createRuntime } from '../platform/runtime.js';
import { onShutdown } from './shutdown.js';

/** `stratus start [--no-worker]`: the API (and, by default, the worker) in one process. */
export async function start(config: Config, args: string[]): Promise<void> {
  const withWorker = config.inProcessWorker && !args.includes('--no-worker');
  const runtime = await createRuntime(config, { worker: withWorker });
  const { ctx } = runtime;
  const app = await buildApp(ctx);
  await app.listen({ host: config.host, port: config.port });
  runtime.worker?.start();
  const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  ctx.logger.info(
    { url: where, database: config.database.kind, redis: Boolean(config.redisUrl), worker: withWorker },
    `Stratus is serving on ${where}`,
  );
  onShutdown(ctx.logger, config.drainDelayMs + config.shutdownGraceMs, async () => {
    // Readiness turns false first, and the node keeps serving for the drain delay so a load balancer
    // stops routing here; then it stops accepting, in-flight requests finish, and the worker releases
    // its leases.
    ctx.lifecycle.draining = true;
    if (config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.drainDelayMs));
    // Keep-alive sockets that were busy when closing began become idle once their response is sent;
    // close those too, or the server waits for the clients' keep-alive timeout.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
    }
    await runtime.close();
  });
}
