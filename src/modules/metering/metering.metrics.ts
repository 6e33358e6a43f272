import { Counter, Gauge } from 'prom-client';
import type { MetricsProviderContext } from '../../platform/metrics/providers.js';
import { activeCartsSource } from './active-carts.js';
import { dayOf, usageTotals } from './metering.repository.js';
import { costReport, usageReport } from './metering.service.js';

/**
 * Business counters (orders, revenue, refunds, active carts), today's usage meters and today's cost,
 * read from the database at scrape time: cluster-wide values, so aggregate with `max` across nodes.
 */
export function addMeteringMetrics({ metrics, database, config }: MetricsProviderContext): void {
  const registers = [metrics.registry];
  const labelNames = ['currency_code'] as const;
  const orders = new Counter({ name: 'stratus_orders_total', help: 'Orders placed.', labelNames, registers });
  const revenue = new Counter({
    name: 'stratus_order_revenue_minor_units_total',
    help: 'Order totals placed, in minor units of the currency.',
    labelNames,
    registers,
  });
  const refunds = new Counter({
    name: 'stratus_refunds_total',
    help: 'Refunds issued.',
    labelNames,
    registers,
  });
  const refunded = new Counter({
    name: 'stratus_refunded_minor_units_total',
    help: 'Amounts refunded, in minor units of the currency.',
    labelNames,
    registers,
  });
  const carts = new Gauge({ name: 'stratus_active_carts', help: 'Carts currently active.', registers });
  const byMeter = { orders, order_revenue_minor: revenue, refunds, refunded_minor: refunded };
  metrics.onCollect(async () => {
    const rows = await usageTotals(database.db, Object.keys(byMeter));
    for (const counter of Object.values(byMeter)) counter.reset();
    for (const row of rows)
      byMeter[row.meter as keyof typeof byMeter].inc({ currency_code: row.dimension }, row.value);
    const count = activeCartsSource();
    if (count) carts.set(await count(database.db));
  });

  const usage = new Gauge({
    name: 'stratus_usage_today',
    help: 'Usage meters for the current UTC day (requests, cpu_ms, db_bytes, …).',
    labelNames: ['meter'] as const,
    registers,
  });
  const cost = new Gauge({
    name: 'stratus_cost_today_minor_units',
    help: 'Estimated cost of the current UTC day under the configured unit prices.',
    labelNames,
    registers,
  });
  const costPerOrder = new Gauge({
    name: 'stratus_cost_per_order_minor_units',
    help: "Today's estimated cost divided by today's orders.",
    labelNames,
    registers,
  });
  const costPerSessions = new Gauge({
    name: 'stratus_cost_per_1000_sessions_minor_units',
    help: "Today's estimated cost per 1,000 analytics sessions started today.",
    labelNames,
    registers,
  });
  const alert = new Gauge({
    name: 'stratus_cost_alert',
    help: "1 when today's estimated cost exceeds STRATUS_COST_ALERT_PER_DAY.",
    registers,
  });
  metrics.onCollect(async () => {
    const day = dayOf();
    const [today] = await usageReport(database.db, day, day);
    usage.reset();
    for (const [meter, value] of Object.entries(today?.meters ?? {})) usage.set({ meter }, value);
    const report = await costReport(database.db, day, config.costs);
    cost.set({ currency_code: report.currency_code }, report.total);
    if (report.per_order !== null)
      costPerOrder.set({ currency_code: report.currency_code }, report.per_order);
    if (report.per_1000_sessions !== null)
      costPerSessions.set({ currency_code: report.currency_code }, report.per_1000_sessions);
    alert.set(report.alert ? 1 : 0);
  });
}
