import { pino } from 'pino';
import type { LogLevel } from '../../config/config.js';
import { REDACTED, redactPersonal } from './personal-data.js';

export type Logger = pino.Logger;

/**
 * Credentials inside the request and response objects that pino's serializers print. Personal fields
 * in anything a log call passes are redacted by name at any depth (`redactPersonal`, the list shared
 * with the audit log).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export function createLogger(
  level: LogLevel,
  options: { name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  const logger = pino(
    {
      level,
      name: options.name ?? 'stratus',
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Each call's object, before it is written.
        log: (object) => redactPersonal(object) as Record<string, unknown>,
      },
    },
    options.destination,
  );
  // pino applies no bindings formatter to children, so their bindings are redacted on the way in.
  // Children inherit this method, so grandchildren (Fastify's request loggers) are covered too.
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactPersonal(bindings) as pino.Bindings, childOptions);
  } as typeof logger.child;
  return logger;
}
