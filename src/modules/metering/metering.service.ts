import type { UnitPrices } from '../../config/config.js';
import { type Db, dialectOf } from '../../platform/db/database.js';
import { type DbOrTrx, inTransaction } from '../../platform/db/transaction.js';
import type { DeliveredEvent } from '../../platform/events/subscribers.js';
import { type CostReport, costForDay, METERS, type Meter } from './cost-model.js';
import {
  addUsage,
  claimReceipt,
  databaseBytes,
  dayOf,
  eventsCreatedOn,
  setUsage,
  usageBetween,
} from './metering.repository.js';

/**
 * Adds to a usage meter for today (UTC). Other modules call it where the usage happens, inside their
 * transaction when there is one, so a rolled-back send is not counted:
 *
 * @example
 *   await recordUsage(trx, 'emails_sent', 1);
 *   await recordUsage(db, 'webhook_calls', 1);
 */
export async function recordUsage(
  db: DbOrTrx,
  meter: Meter,
  amount: number,
  options: { dimension?: string; at?: Date } = {},
): Promise<void> {
  if (!Number.isFinite(amount) || amount === 0) return;
  await addUsage(db, dayOf(options.at), meter, options.dimension ?? '', Math.round(amount));
}

/** Takes the level meters' readings for today: database size and events stored. */
export async function snapshotLevels(db: Db, at = new Date()): Promise<void> {
  const day = dayOf(at);
  await setUsage(db, day, 'db_bytes', '', await databaseBytes(db, dialectOf(db)));
  await setUsage(db, day, 'events_stored', '', await eventsCreatedOn(db, day));
}

/**
 * Counts what a node serves (requests answered, CPU time used) in memory and adds it to the day's
 * meters every `intervalMs`, so the hot path never writes to the database.
 */
export class UsageRecorder {
  #requestsSeen = 0;
  #cpu = process.cpuUsage();
  #timer: NodeJS.Timeout | undefined;
  /** `requestsServed` reads the node's running total (the HTTP request counter). */
  constructor(
    private readonly db: Db,
    private readonly requestsServed: () => Promise<number>,
  ) {}

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.flush().catch(() => {}), intervalMs);
    this.#timer.unref();
  }

  async flush(): Promise<void> {
    const served = await this.requestsServed();
    const requests = served - this.#requestsSeen;
    this.#requestsSeen = served;
    const cpu = process.cpuUsage(this.#cpu);
    this.#cpu = process.cpuUsage();
    const cpuMs = (cpu.user + cpu.system) / 1000;
    await recordUsage(this.db, 'requests', requests);
    await recordUsage(this.db, 'cpu_ms', cpuMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

function minorUnits(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (value && typeof value === 'object' && 'amount' in value) return minorUnits(value.amount);
  return undefined;
}

/**
 * The business counters, fed by events: `order.placed` (payload `{ currency_code, total }`, where
 * total is integer minor units or `{ amount }`) counts an order and its revenue; `order.refunded`
 * (`{ currency_code, amount }`) counts a refund. Each event is counted once even when redelivered: the
 * receipt and the increments commit together.
 */
export async function countBusinessEvent(db: Db, event: DeliveredEvent): Promise<void> {
  const currency = String(event.payload.currency_code ?? '').toLowerCase();
  const at = new Date(event.created_at);
  await inTransaction(db, async (trx) => {
    if (!(await claimReceipt(trx, event.id, 'metering.business'))) return;
    if (event.topic === 'order.placed') {
      await recordUsage(trx, 'orders', 1, { dimension: currency, at });
      const total = minorUnits(event.payload.total);
      if (total !== undefined)
        await recordUsage(trx, 'order_revenue_minor', total, { dimension: currency, at });
    } else if (event.topic === 'order.refunded') {
      await recordUsage(trx, 'refunds', 1, { dimension: currency, at });
      const amount = minorUnits(event.payload.amount);
      if (amount !== undefined) await recordUsage(trx, 'refunded_minor', amount, { dimension: currency, at });
    }
  });
}

export interface DayUsage {
  day: string;
  meters: Record<string, number>;
}

/** Usage per day; money meters are keyed `meter:currency`. */
export async function usageReport(db: Db, from: string, to: string): Promise<DayUsage[]> {
  const days = new Map<string, Record<string, number>>();
  for (const row of await usageBetween(db, from, to)) {
    const meters = days.get(row.day) ?? {};
    meters[row.dimension ? `${row.meter}:${row.dimension}` : row.meter] = row.value;
    days.set(row.day, meters);
  }
  return [...days].map(([day, meters]) => ({ day, meters }));
}

/** The cost report for one day: orders and sessions across currencies count as one figure each. */
export async function costReport(db: Db, day: string, prices: UnitPrices): Promise<CostReport> {
  const usage: Partial<Record<Meter, number>> = {};
  for (const row of await usageBetween(db, day, day)) {
    if (row.meter in METERS) {
      const meter = row.meter as Meter;
      usage[meter] = (usage[meter] ?? 0) + row.value;
    }
  }
  return costForDay(day, usage, prices);
}
