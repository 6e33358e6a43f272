import type { Logger } from '../platform/logging/logger.js';

/**
 * On SIGTERM or SIGINT runs `close` once, and exits 0 when it finishes or 1 when it overruns
 * `graceMs`. A second signal exits at once.
 */
export function onShutdown(logger: Logger, graceMs: number, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown overran its deadline; exiting');
      process.exit(1);
    }, graceMs);
    deadline.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
