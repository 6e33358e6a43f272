import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { recordOrderPlaced } from '../../src/modules/analytics/commerce.subscribers.js';
import { writeEvents } from '../../src/modules/analytics/ingest.writer.js';
import { analyticsGauges, renderGauges } from '../../src/modules/analytics/metrics.js';
import { realtime } from '../../src/modules/analytics/realtime.service.js';
import { purgeExpired } from '../../src/modules/analytics/retention.js';
import { createTestContext, type TestContext, testDialect } from '../helpers/test-context.js';
import { fixtureEvents } from './fixture.js';

function at(iso: string, visitor: string, name: 'page_view' | 'view_item' = 'page_view') {
  const base = fixtureEvents()[0]!;
  return { ...base, name, occurred_at: iso, received_at: iso, visitor_id: visitor, items: null };
}

describe('retention, real-time view and gauges', () => {
  let t: TestContext;
  let settings: AnalyticsSettings;
  beforeEach(async () => {
    settings = setAnalyticsSettings({ timeZone: 'UTC', currency: 'usd', retentionMonths: 13 });
    t = await createTestContext();
  });
  afterEach(async () => {
    await t.close();
  });

  it('purges raw data older than the retention window, dropping whole months on PostgreSQL', async () => {
    await writeEvents(
      t.ctx.db,
      [
        at('2024-09-15T10:00:00.000Z', 'old'),
        at('2024-10-20T10:00:00.000Z', 'mid'),
        at('2025-11-01T10:00:00.000Z', 'new'),
      ],
      settings,
    );
    const result = await purgeExpired(t.ctx.db, settings, Date.parse('2025-11-26T00:00:00.000Z'));
    expect(result.cutoff).toBe('2024-10-26T00:00:00.000Z');
    const left = await t.ctx.db
      .selectFrom('analytics_events')
      .select('visitor_id')
      .orderBy('occurred_at')
      .execute();
    expect(left.map((e) => e.visitor_id)).toEqual(['new']);
    const sessions = await t.ctx.db.selectFrom('analytics_sessions').select('visitor_id').execute();
    expect(sessions.map((s) => s.visitor_id)).toEqual(['new']);
    if (testDialect === 'postgres') {
      expect(result.dropped_months).toEqual(['2024-09']);
      const { rows } = await sql<{ name: string }>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        join pg_class p on p.oid = i.inhparent
        where p.relname = 'analytics_events' and c.relnamespace = (select oid from pg_namespace where nspname = current_schema())
        order by 1`.execute(t.ctx.db);
      expect(rows.map((r) => r.name)).toEqual([
        'analytics_events_default',
        'analytics_events_p202410',
        'analytics_events_p202511',
      ]);
    } else {
      expect(result.events).toBe(2);
    }
  });

  it('shows the last 30 minutes and exposes the KPIs as gauges', async () => {
    const now = Date.now();
    const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();
    await writeEvents(
      t.ctx.db,
      [
        at(minutesAgo(40), 'a'),
        at(minutesAgo(10), 'a'),
        at(minutesAgo(5), 'b'),
        at(minutesAgo(2), 'c', 'view_item'),
      ],
      settings,
    );
    await recordOrderPlaced(t.ctx.db, 'evt_1', {
      order_id: 'ord_1',
      customer_id: null,
      currency_code: 'usd',
      total: 4200,
      items: [{ product_id: 'prod_1', quantity: 1, unit_price: 4200 }],
      placed_at: minutesAgo(1),
      visitor_id: 'b',
    });
    const live = await realtime(t.ctx.db, settings, now);
    expect(live).toMatchObject({ active_visitors: 3, events: 3, orders: 1, revenue: 4200 });
    expect(live.top_pages).toEqual([{ page: '/', views: 2 }]);

    const gauges = await analyticsGauges(t.ctx.db, settings, now);
    const value = (name: string) => gauges.find((g) => g.name === `stratus_analytics_${name}`)?.value;
    expect(value('orders_today')).toBe(1);
    expect(value('revenue_today_minor')).toBe(4200);
    expect(value('active_visitors')).toBe(3);
    expect(renderGauges(gauges)).toContain(
      '# TYPE stratus_analytics_orders_today gauge\nstratus_analytics_orders_today 1\n',
    );
  });
});
