import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { computeKpis } from './kpi.service.js';
import { realtime } from './realtime.service.js';
import { addDays, localDate, startOfLocalDay } from './time-zone.js';

export interface Gauge {
  name: string;
  help: string;
  value: number;
}

/**
 * The headline KPIs as Prometheus gauges: today so far in the store's zone, plus the real-time
 * active visitors. The operations branch's `/metrics` registers these with prom-client; `renderGauges`
 * prints them in the text exposition format for anything else.
 */
export async function analyticsGauges(
  db: Db,
  settings: AnalyticsSettings,
  nowMs = Date.now(),
): Promise<Gauge[]> {
  const today = localDate(nowMs, settings.timeZone);
  const range = {
    from: startOfLocalDay(today, settings.timeZone),
    to: startOfLocalDay(addDays(today, 1), settings.timeZone),
    timeZone: settings.timeZone,
  };
  const [k, live] = await Promise.all([computeKpis(db, range, settings), realtime(db, settings, nowMs)]);
  const g = (name: string, help: string, value: number | null): Gauge => ({
    name: `stratus_analytics_${name}`,
    help,
    value: value ?? 0,
  });
  return [
    g('sessions_today', 'Sessions started today (store time zone).', k.sessions),
    g('users_today', 'Distinct visitors with a session today.', k.users),
    g('new_users_today', 'Visitors whose first session was today.', k.new_users),
    g('conversion_rate_today', 'Sessions with a purchase / sessions, today.', k.conversion_rate),
    g('orders_today', 'Orders placed today in the store currency.', k.orders),
    g('revenue_today_minor', 'Revenue net of refunds today, minor units of the store currency.', k.revenue),
    g('aov_today_minor', 'Average order value today, minor units.', k.aov),
    g('cart_abandonment_rate_today', '1 - carts converted / carts created, today.', k.cart_abandonment_rate),
    g(
      'checkout_abandonment_rate_today',
      '1 - purchases / begin_checkout sessions, today.',
      k.checkout_abandonment_rate,
    ),
    g(
      'repeat_purchase_rate_today',
      'Buyers today with two or more orders / buyers today.',
      k.repeat_purchase_rate,
    ),
    g('active_visitors', 'Distinct visitors in the last 30 minutes.', live.active_visitors),
  ];
}

export function renderGauges(gauges: Gauge[]): string {
  return gauges
    .map((g) => `# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n${g.name} ${g.value}\n`)
    .join('');
}
