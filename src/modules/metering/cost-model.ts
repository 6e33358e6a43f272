import type { UnitPrices } from '../../config/config.js';

/** What each meter measures; additive meters sum over a day, level meters hold the day's reading. */
export const METERS = {
  requests: 'additive',
  cpu_ms: 'additive',
  db_bytes: 'level',
  events_stored: 'level',
  emails_sent: 'additive',
  backup_bytes: 'additive',
  webhook_calls: 'additive',
  sessions: 'additive',
  orders: 'additive',
  order_revenue_minor: 'additive',
  refunds: 'additive',
  refunded_minor: 'additive',
} as const;

export type Meter = keyof typeof METERS;

const GIB = 1024 ** 3;

export interface CostLine {
  meter: string;
  quantity: number;
  /** Minor units of the cost currency, rounded to the nearest unit. */
  amount: number;
}

export interface CostReport {
  day: string;
  currency_code: string;
  lines: CostLine[];
  total: number;
  orders: number;
  sessions: number;
  /** Total over orders placed that day; null without orders. */
  per_order: number | null;
  per_1000_sessions: number | null;
  alert_threshold: number | null;
  alert: boolean;
}

/**
 * The day's cost under the configured unit prices. Each line is quantity × price per block, kept in
 * fractions of a minor unit until the end so that many cheap requests still add up; the total and
 * ratios are rounded once. These are estimates for capacity planning, not invoices.
 */
export function costForDay(
  day: string,
  usage: Partial<Record<Meter, number>>,
  prices: UnitPrices,
): CostReport {
  const q = (meter: Meter) => usage[meter] ?? 0;
  const exact: Array<[string, number, number]> = [
    ['requests', q('requests'), (q('requests') / 1e6) * prices.requestsPerMillion],
    ['cpu_seconds', q('cpu_ms') / 1000, (q('cpu_ms') / 3.6e6) * prices.cpuHour],
    ['db_bytes', q('db_bytes'), (q('db_bytes') / GIB) * prices.dbGibDay],
    ['events_stored', q('events_stored'), (q('events_stored') / 1e6) * prices.eventsPerMillion],
    ['emails_sent', q('emails_sent'), (q('emails_sent') / 1000) * prices.emailsPerThousand],
    ['backup_bytes', q('backup_bytes'), (q('backup_bytes') / GIB) * prices.backupGib],
    ['webhook_calls', q('webhook_calls'), (q('webhook_calls') / 1000) * prices.webhooksPerThousand],
    ['fixed', 1, prices.fixedPerDay],
  ];
  const sum = exact.reduce((total, [, , cost]) => total + cost, 0);
  const total = Math.round(sum);
  const orders = q('orders');
  const sessions = q('sessions');
  return {
    day,
    currency_code: prices.currency,
    lines: exact.map(([meter, quantity, cost]) => ({ meter, quantity, amount: Math.round(cost) })),
    total,
    orders,
    sessions,
    per_order: orders > 0 ? Math.round(sum / orders) : null,
    per_1000_sessions: sessions > 0 ? Math.round((sum * 1000) / sessions) : null,
    alert_threshold: prices.alertPerDay > 0 ? prices.alertPerDay : null,
    alert: prices.alertPerDay > 0 && total > prices.alertPerDay,
  };
}
