import { pino } from 'pino';
import type { LogLevel } from '../../config/config.js';

export type Logger = pino.Logger;

/**
 * Paths whose values are personal data or credentials. One list, used by every logger, so that a new
 * field is redacted everywhere at once. Wildcards cover the field at one level of nesting.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...[
    'email',
    'phone',
    'first_name',
    'last_name',
    'full_name',
    'address',
    'address_1',
    'address_2',
    'password',
    'token',
    'totp',
    'secret',
  ].flatMap((field) => [field, `*.${field}`]),
];

export function createLogger(
  level: LogLevel,
  options: { name?: string; destination?: pino.DestinationStream } = {},
): Logger {
  return pino(
    {
      level,
      name: options.name ?? 'stratus',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
