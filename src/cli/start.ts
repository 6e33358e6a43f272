import type { Config } from '../config/config.js';
import { ensureDemoSeed } from '../modules/catalog/index.js';
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
  onShutdown(ctx.logger, config.shutdownGraceMs, async () => {
    // Readiness turns false first so a load balancer stops routing here, then in-flight requests finish.
    ctx.lifecycle.draining = true;
    seedAbort.abort();
    await seeding;
    await app.close();
    await runtime.close();
  });
}
