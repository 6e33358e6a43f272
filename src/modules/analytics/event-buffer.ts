import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { type BufferedEvent, writeEvents } from './ingest.writer.js';

/**
 * Holds accepted events in memory and writes them in bulk: one transaction per flush, when
 * `flushMaxEvents` are waiting or `flushIntervalMs` after the first one arrived, and on close.
 * Flushes never overlap. A failed flush puts its events back (up to ten flushes' worth, beyond which
 * the oldest are dropped and logged), so a database blip loses nothing.
 */
export class EventBuffer {
  #pending: BufferedEvent[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #writing = false;
  /** Producers held back by backpressure; released after each written batch. */
  #waiters: (() => void)[] = [];
  readonly #db: Db;
  readonly #logger: Logger;
  readonly #settings: () => AnalyticsSettings;
  flushes = 0;

  constructor(db: Db, logger: Logger, settings: () => AnalyticsSettings) {
    this.#db = db;
    this.#logger = logger;
    this.#settings = settings;
  }

  get size(): number {
    return this.#pending.length;
  }

  /**
   * Queues events for the next flush. Resolves at once unless more than four flushes' worth is
   * waiting: then it resolves when the writer has caught up, which slows producers down instead of
   * letting memory grow without bound.
   */
  push(events: BufferedEvent[]): Promise<void> | undefined {
    if (events.length === 0) return undefined;
    for (const e of events) this.#pending.push(e);
    const { flushMaxEvents, flushIntervalMs } = this.#settings();
    if (this.#pending.length >= flushMaxEvents) {
      if (!this.#writing) void this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), flushIntervalMs);
      this.#timer.unref();
    }
    if (this.#pending.length > flushMaxEvents * 4)
      return new Promise((resolve) => this.#waiters.push(resolve));
    return undefined;
  }

  /** Writes everything pending now; resolves when it (and any flush before it) is done. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#writeOnce());
    return this.#flushing;
  }

  async #writeOnce(): Promise<void> {
    this.#writing = true;
    try {
      // At most flushMaxEvents per transaction, so one flush never holds the writer for long.
      while (this.#pending.length > 0) {
        const max = this.#settings().flushMaxEvents;
        const batch = this.#pending.length <= max ? this.#pending : this.#pending.slice(0, max);
        this.#pending = this.#pending.length <= max ? [] : this.#pending.slice(max);
        try {
          await writeEvents(this.#db, batch, this.#settings());
          this.flushes++;
          this.#release();
        } catch (error) {
          const cap = max * 10;
          const kept = [...batch, ...this.#pending];
          this.#pending = kept.slice(Math.max(0, kept.length - cap));
          this.#logger.error(
            { err: error, events: batch.length, dropped: kept.length - this.#pending.length },
            'analytics flush failed',
          );
          if (!this.#timer) {
            this.#timer = setTimeout(() => void this.flush(), this.#settings().flushIntervalMs * 4);
            this.#timer.unref();
          }
          return;
        }
      }
    } finally {
      this.#writing = false;
      this.#release();
    }
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Flushes what is pending (called when an app closes). The buffer stays usable: other apps built
   * on the same database handle share it.
   */
  async close(): Promise<void> {
    await this.flush();
  }
}

const buffers = new WeakMap<object, EventBuffer>();

/** One buffer per database handle, shared by every app built on it. */
export function eventBufferFor(db: Db, logger: Logger, settings: () => AnalyticsSettings): EventBuffer {
  let buffer = buffers.get(db);
  if (!buffer) {
    buffer = new EventBuffer(db, logger, settings);
    buffers.set(db, buffer);
  }
  return buffer;
}
