import type { Config } from '../config/config.js';
import { ensureDemoSeed } from '../modules/catalog/index.js';
import { announceSignIn } from '../modules/identity/index.js';
import { buildApp } from '../platform/http/app.js';
import { createRuntime } from '../platform/runtime.js';
import { onShutdown } from './shutdown.js';

/**
 * `stratus start [--no-worker] [--no-seed]`: the API (and, by default, the worker) in one process. The
 * first start of an empty store loads the Superstore demo catalog.
 */
export async function start(config: Config, args: string[]): Promise<void> {
  const withWorker = config.inProcessWorker && !args.includes('--no-worker');
  const runtime = await createRuntime(config, { worker: withWorker });
  const { ctx } = runtime;
  const app = await buildApp(ctx);
  await app.listen({ host: config.host, port: config.port });
  runtime.worker?.start();
  // The first start of an empty store loads the demo catalog after listening, so the node is ready at
  // once; the catalog appears when the seed's one transaction commits (a few seconds).
  const seedAbort = new AbortController();
  const seeding = args.includes('--no-seed')
    ? Promise.resolve()
    : ensureDemoSeed(ctx.db, { signal: seedAbort.signal }).then(
        (seed) => {
          if (seed.seeded) ctx.logger.info({ ms: seed.ms }, 'loaded the demo catalog (first start)');
        },
        (error: unknown) => {
          if (seedAbort.signal.aborted)
            ctx.logger.warn('demo catalog seed interrupted; it runs again on the next start');
          else ctx.logger.error({ err: error }, 'demo catalog seed failed');
        },
      );
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
    seedAbort.abort();
    await seeding;
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
  // After the shutdown handler is in place: a SIGTERM during this step still drains cleanly.
  await announceSignIn(ctx, where).catch((error: unknown) =>
    ctx.logger.error({ err: error }, 'sign-in notice failed'),
  );
}
