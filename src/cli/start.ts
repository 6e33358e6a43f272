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
  if (!args.includes('--no-seed')) {
    const seed = await ensureDemoSeed(ctx.db);
    if (seed.seeded) ctx.logger.info({ ms: seed.ms }, 'loaded the demo catalog (first start)');
  }
  const app = await buildApp(ctx);
  await app.listen({ host: config.host, port: config.port });
  runtime.worker?.start();
  const where = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  ctx.logger.info(
    { url: where, database: config.database.kind, redis: Boolean(config.redisUrl), worker: withWorker },
    `Stratus is serving on ${where}`,
  );
  onShutdown(ctx.logger, config.shutdownGraceMs, async () => {
    // Readiness turns false first so a load balancer stops routing here, then in-flight requests finish.
    ctx.lifecycle.draining = true;
    await app.close();
    await runtime.close();
  });
  // After the shutdown handler is in place: a SIGTERM during this step still drains cleanly.
  await announceSignIn(ctx, where).catch((error: unknown) =>
    ctx.logger.error({ err: error }, 'sign-in notice failed'),
  );
}
