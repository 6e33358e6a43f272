import type { Config } from '../config/config.js';
import { createRuntime } from '../platform/runtime.js';
import { onShutdown } from './shutdown.js';

/** `stratus worker`: outbox delivery and scheduled jobs without HTTP, so API nodes scale apart. */
export async function worker(config: Config): Promise<void> {
  const runtime = await createRuntime(config, { worker: true });
  runtime.worker!.start();
  runtime.ctx.logger.info({ database: config.database.kind }, 'Stratus worker started');
  onShutdown(runtime.ctx.logger, config.shutdownGraceMs, () => runtime.close());
}
