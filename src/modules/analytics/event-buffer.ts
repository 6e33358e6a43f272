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
  #closed = false;
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

  push(events: BufferedEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.#pending.push(e);
    const { flushMaxEvents, flushIntervalMs } = this.#settings();
    if (this.#pending.length >= flushMaxEvents) void this.flush();
    else if (!this.#timer && !this.#closed) {
      this.#timer = setTimeout(() => void this.flush(), flushIntervalMs);
      this.#timer.unref();
    }
  }

  /** Writes everything pending now; resolves when it (and any flush before it) is done. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#writeOnce());
    return this.#flushing;
  }

  async #writeOnce(): Promise<void> {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    try {
      await writeEvents(this.#db, batch, this.#settings());
      this.flushes++;
    } catch (error) {
      const cap = this.#settings().flushMaxEvents * 10;
      const kept = [...batch, ...this.#pending];
      this.#pending = kept.slice(Math.max(0, kept.length - cap));
      this.#logger.error(
        { err: error, events: batch.length, dropped: kept.length - this.#pending.length },
        'analytics flush failed',
      );
      if (!this.#closed && !this.#timer) {
        this.#timer = setTimeout(() => void this.flush(), this.#settings().flushIntervalMs * 4);
        this.#timer.unref();
      }
    }
  }

  /** Flushes what is pending and stops the timer (called when the app closes). */
  async close(): Promise<void> {
    this.#closed = true;
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
