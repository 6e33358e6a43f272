import { sql } from 'kysely';
import type { Cache } from '../cache/cache.js';
import type { Db } from '../db/database.js';
import { newId } from '../db/ids.js';
import { lockRows } from '../db/lock.js';
import { after, now } from '../db/time.js';
import { inTransaction } from '../db/transaction.js';
import type { Logger } from '../logging/logger.js';
import type { DeliveredEvent, SubscriberRegistry } from './subscribers.js';

export interface DispatcherOptions {
  db: Db;
  registry: SubscriberRegistry;
  /** Handed to subscribers (cache invalidation); optional so bare dispatchers need none. */
  cache?: Cache;
  logger: Logger;
  pollIntervalMs: number;
  batchSize: number;
  maxAttempts: number;
  /** How long a claim is exclusive; a live dispatcher extends it while the handler runs. */
  leaseMs: number;
  /** First retry delay; doubles per attempt up to `maxRetryDelayMs`. */
  retryBaseMs?: number;
  maxRetryDelayMs?: number;
  /** Distinguishes this dispatcher's leases from other processes'. */
  owner?: string;
}

export interface ClaimedDelivery {
  id: string;
  subscriber: string;
  attempts: number;
  event: DeliveredEvent;
}

/** Delay before retry number `attempt` (1-based): exponential with ±20% jitter, capped. */
export function retryDelay(attempt: number, baseMs: number, capMs: number): number {
  const exponential = Math.min(capMs, baseMs * 2 ** (attempt - 1));
  return Math.round(exponential * (0.8 + Math.random() * 0.4));
}

/**
 * Delivers outbox events to subscribers at least once. Any number of dispatchers may run against one
 * database: a claim is one UPDATE over rows picked with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite
 * serialises writers), and it sets a lease. While a handler runs, its lease is renewed; when a process
 * dies, its leases lapse and the deliveries are claimed again.
 */
export class OutboxDispatcher {
  readonly owner: string;
  readonly #options: Required<Omit<DispatcherOptions, 'owner' | 'cache'>> & Pick<DispatcherOptions, 'cache'>;
  readonly #inFlight = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(options: DispatcherOptions) {
    this.owner = options.owner ?? newId('wrk');
    this.#options = { retryBaseMs: 1000, maxRetryDelayMs: 3_600_000, ...options };
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#heartbeat = setInterval(() => void this.#renewLeases(), Math.max(50, this.#options.leaseMs / 3));
    this.#heartbeat.unref();
    this.#schedule(0);
  }

  /** Runs a poll soon instead of at the next interval (after a local emit, say). */
  poke(): void {
    if (!this.#stopped && !this.#running) this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce()
        .then((count) => {
          this.#running = undefined;
          if (!this.#stopped)
            this.#schedule(count >= this.#options.batchSize ? 0 : this.#options.pollIntervalMs);
        })
        .catch((error: unknown) => {
          this.#running = undefined;
          this.#options.logger.error({ err: error }, 'outbox poll failed');
          if (!this.#stopped) this.#schedule(this.#options.pollIntervalMs * 4);
        });
    }, delayMs);
    this.#timer.unref();
  }

  /** Claims one batch and processes it; resolves with the number of deliveries handled. */
  async runOnce(): Promise<number> {
    const claimed = await this.claim();
    await Promise.all(claimed.map((delivery) => this.process(delivery)));
    return claimed.length;
  }

  async claim(limit = this.#options.batchSize): Promise<ClaimedDelivery[]> {
    const { db, leaseMs } = this.#options;
    const at = now();
    const rows = await inTransaction(db, async (trx) => {
      const due = lockRows(
        trx,
        trx
          .selectFrom('outbox_deliveries')
          .select('id')
          .where('status', 'in', ['pending', 'processing'])
          .where('next_attempt_at', '<=', at)
          .orderBy('next_attempt_at')
          .limit(limit),
        { skipLocked: true },
      );
      return trx
        .updateTable('outbox_deliveries')
        .set({
          status: 'processing',
          lease_owner: this.owner,
          next_attempt_at: after(leaseMs),
          attempts: sql`attempts + 1`,
          updated_at: at,
        })
        .where('id', 'in', due)
        .returning(['id', 'event_id', 'subscriber', 'attempts'])
        .execute();
    });
    if (rows.length === 0) return [];
    const events = await db
      .selectFrom('outbox_events')
      .selectAll()
      .where('id', 'in', [...new Set(rows.map((r) => r.event_id))])
      .execute();
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const row of rows) this.#inFlight.add(row.id);
    return rows.map((row) => {
      const event = byId.get(row.event_id)!;
      return {
        id: row.id,
        subscriber: row.subscriber,
        attempts: row.attempts,
        event: {
          id: event.id,
          topic: event.topic,
          payload: JSON.parse(event.payload) as Record<string, unknown>,
          created_at: event.created_at,
          attempt: row.attempts,
        },
      };
    });
  }

  async process(delivery: ClaimedDelivery): Promise<void> {
    const { db, logger, registry, cache } = this.#options;
    const subscriber = registry.get(delivery.subscriber);
    try {
      if (!subscriber) throw new Error(`no subscriber named ${delivery.subscriber} is registered`);
      await subscriber.handle(delivery.event, { db, logger, ...(cache ? { cache } : {}) });
      await this.#finish(delivery, { status: 'done', last_error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = !subscriber || delivery.attempts >= this.#options.maxAttempts;
      logger.warn(
        {
          delivery: delivery.id,
          subscriber: delivery.subscriber,
          attempt: delivery.attempts,
          dead,
          err: error,
        },
        'outbox delivery failed',
      );
      const delay = retryDelay(delivery.attempts, this.#options.retryBaseMs, this.#options.maxRetryDelayMs);
      await this.#finish(delivery, {
        status: dead ? 'dead' : 'pending',
        last_error: message.slice(0, 2000),
        next_attempt_at: after(delay),
      });
    } finally {
      this.#inFlight.delete(delivery.id);
    }
  }

  async #finish(
    delivery: ClaimedDelivery,
    change: { status: 'done' | 'pending' | 'dead'; last_error: string | null; next_attempt_at?: string },
  ): Promise<void> {
    // Guarded by the lease owner: if our lease lapsed and another dispatcher re-claimed the delivery,
    // its outcome wins and ours is dropped.
    await this.#options.db
      .updateTable('outbox_deliveries')
      .set({ ...change, lease_owner: null, updated_at: now() })
      .where('id', '=', delivery.id)
      .where('lease_owner', '=', this.owner)
      .where('status', '=', 'processing')
      .execute();
  }

  async #renewLeases(): Promise<void> {
    if (this.#inFlight.size === 0) return;
    try {
      await this.#options.db
        .updateTable('outbox_deliveries')
        .set({ next_attempt_at: after(this.#options.leaseMs) })
        .where('lease_owner', '=', this.owner)
        .where('status', '=', 'processing')
        .where('id', 'in', [...this.#inFlight])
        .execute();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'outbox lease renewal failed');
    }
  }
}
