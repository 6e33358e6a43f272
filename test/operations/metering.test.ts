import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordUsage, snapshotLevels } from '../../src/modules/metering/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { OutboxDispatcher } from '../../src/platform/events/dispatcher.js';
import { emit } from '../../src/platform/events/outbox.js';
import { SubscriberRegistry, subscribers } from '../../src/platform/events/subscribers.js';
import type { Authenticator } from '../../src/platform/http/auth.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const byHeader: Authenticator = {
  authenticate: async (request) => {
    const who = request.headers['x-test-principal'];
    if (who === 'ops') return { kind: 'staff', id: 'usr_ops', permissions: new Set(['system:read']) };
    if (who === 'clerk') return { kind: 'staff', id: 'usr_clerk', permissions: new Set(['catalog:read']) };
    return null;
  },
};
const ops = { 'x-test-principal': 'ops' };

describe('metering and business counters', () => {
  let t: TestApp;
  let dispatcher: OutboxDispatcher;
  const meteringOnly = new SubscriberRegistry();
  meteringOnly.register(subscribers.get('metering.business')!);
  beforeAll(async () => {
    t = await createTestApp({
      env: { STRATUS_COST_ALERT_PER_DAY: '50', STRATUS_PRICE_FIXED_PER_DAY: '100' },
    });
    t.ctx.auth = byHeader;
    dispatcher = new OutboxDispatcher({
      db: t.ctx.db,
      // Only the subscriber under test: other modules subscribe to order events too.
      registry: meteringOnly,
      logger: createLogger('silent'),
      pollIntervalMs: 10,
      batchSize: 50,
      maxAttempts: 3,
      leaseMs: 5000,
    });
  });
  afterAll(() => t.close());

  it('counts order.placed and order.refunded events once each, even when redelivered', async () => {
    await inTransaction(t.ctx.db, async (trx) => {
      await emit(
        trx,
        {
          topic: 'order.placed',
          payload: { order_id: 'ord_1', currency_code: 'eur', total: 2599 },
        },
        meteringOnly,
      );
      await emit(
        trx,
        {
          topic: 'order.placed',
          payload: { order_id: 'ord_2', currency_code: 'EUR', total: { amount: 1000 } },
        },
        meteringOnly,
      );
      await emit(
        trx,
        {
          topic: 'order.placed',
          payload: { order_id: 'ord_3', currency_code: 'usd', total: 500 },
        },
        meteringOnly,
      );
      await emit(
        trx,
        {
          topic: 'order.refunded',
          payload: { order_id: 'ord_1', currency_code: 'eur', amount: 599 },
        },
        meteringOnly,
      );
    });
    expect(await dispatcher.runOnce()).toBe(4);
    // A redelivery (the worker died after handling, before acknowledging) changes nothing.
    const first = await t.ctx.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('topic', '=', 'order.placed')
      .executeTakeFirstOrThrow();
    await subscribers.get('metering.business')!.handle(
      {
        id: first.id,
        topic: first.topic,
        payload: JSON.parse(first.payload),
        created_at: first.created_at,
        attempt: 2,
      },
      { db: t.ctx.db, logger: createLogger('silent') },
    );
    const res = await t.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const has = (line: string) => expect(res.body.split('\n'), line).toContain(line);
    has('# TYPE stratus_orders_total counter');
    has('stratus_orders_total{currency_code="eur"} 2');
    has('stratus_orders_total{currency_code="usd"} 1');
    has('stratus_order_revenue_minor_units_total{currency_code="eur"} 3599');
    has('stratus_refunds_total{currency_code="eur"} 1');
    has('stratus_refunded_minor_units_total{currency_code="eur"} 599');
    // The cart module's real source (no carts here; metering-sources.test.ts drives real ones).
    has('stratus_active_carts 0');
    has('stratus_usage_today{meter="orders:eur"} 2');
    expect(res.body).toMatch(/^stratus_cost_today_minor_units\{currency_code="eur"\} \d+$/m);
    has('stratus_cost_alert 1');
  });

  it('adds usage recorded through recordUsage, and the level meters', async () => {
    await recordUsage(t.ctx.db, 'emails_sent', 3);
    await recordUsage(t.ctx.db, 'webhook_calls', 2);
    await recordUsage(t.ctx.db, 'sessions', 400);
    await snapshotLevels(t.ctx.db);
    await t.app.inject({ url: '/health/live' });
    const costs = await t.app.inject({ url: '/admin/costs', headers: ops }); // flushes this node's counts
    expect(costs.statusCode).toBe(200);
    const usage = await t.app.inject({ url: '/admin/usage', headers: ops });
    expect(usage.statusCode).toBe(200);
    const [today] = usage.json().data as { day: string; meters: Record<string, number> }[];
    expect(today!.day).toBe(new Date().toISOString().slice(0, 10));
    expect(today!.meters).toMatchObject({ emails_sent: 3, webhook_calls: 2, sessions: 400, 'orders:eur': 2 });
    expect(today!.meters.requests).toBeGreaterThanOrEqual(1);
    expect(today!.meters.cpu_ms).toBeGreaterThan(0);
    expect(today!.meters.db_bytes).toBeGreaterThan(0);
    expect(today!.meters.events_stored).toBe(4);
  });

  it('reports the day cost per order and per 1,000 sessions with the alert', async () => {
    const res = await t.app.inject({ url: '/admin/costs', headers: ops });
    const report = res.json();
    expect(report).toMatchObject({
      currency_code: 'eur',
      orders: 3,
      sessions: 400,
      alert_threshold: 50,
      alert: true,
    });
    expect(report.total).toBeGreaterThanOrEqual(100);
    expect(report.per_order).toBe(
      Math.round(report.lines.reduce((s: number, l: { amount: number }) => s + l.amount, 0) / 3),
    );
    expect(report.per_1000_sessions).toBeGreaterThanOrEqual(250);
    const empty = await t.app.inject({ url: '/admin/costs?day=2001-01-01', headers: ops });
    expect(empty.json()).toMatchObject({ orders: 0, per_order: null, total: 100 });
  });

  it('guards the admin API with system:read and refuses bad ranges', async () => {
    expect((await t.app.inject({ url: '/admin/usage' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/admin/costs', headers: { 'x-test-principal': 'clerk' } })).statusCode,
    ).toBe(403);
    const reversed = await t.app.inject({ url: '/admin/usage?from=2026-02-01&to=2026-01-01', headers: ops });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().error.code).toBe('USAGE_RANGE_INVALID');
    const malformed = await t.app.inject({ url: '/admin/costs?day=yesterday', headers: ops });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('VALIDATION_FAILED');
  });
});
