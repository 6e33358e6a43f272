import type { pino } from 'pino';
import type { Logger } from './logger.js';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Record<string, unknown>;

/**
 * A request's logger whose pino child (the request id and trace id bound) is made on the first line
 * the request's own code logs. pino's `child()` serialises its bindings through redaction, which cost
 * more than the rest of a cached read; most requests log only the access line, which `access` writes
 * through the parent with the bindings as fields, the same JSON a child would write.
 */
export class RequestLogger {
  readonly #parent: Logger;
  readonly #bindings: Bindings;
  #child: Logger | undefined;

  constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent;
    this.#bindings = bindings;
  }

  get level(): string {
    return this.#parent.level;
  }

  /** One line with the request's bindings, without making the child. */
  access(level: Level, fields: Bindings, message: string): void {
    if (this.#child) this.#child[level](fields, message);
    else if (this.#parent.isLevelEnabled(level))
      this.#parent[level]({ ...this.#bindings, ...fields }, message);
  }

  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}

  isLevelEnabled(level: string): boolean {
    return this.#parent.isLevelEnabled(level);
  }

  child(bindings: Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.#real().child(bindings, options);
  }

  #log(level: Level, args: unknown[]): void {
    if (this.#parent.isLevelEnabled(level)) (this.#real()[level] as (...a: unknown[]) => void)(...args);
  }

  #real(): Logger {
    this.#child ??= this.#parent.child(this.#bindings);
    return this.#child;
  }
}

/** The access line through whichever logger a request has (a tracing hook may swap in a pino child). */
export function logAccess(log: unknown, level: Level, fields: Bindings, message: string): void {
  if (log instanceof RequestLogger) log.access(level, fields, message);
  else (log as Logger)[level](fields, message);
}
