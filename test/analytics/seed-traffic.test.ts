import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { computeKpis } from '../../src/modules/analytics/kpi.service.js';
import { loadSuperstore } from '../../src/modules/analytics/superstore.js';
import { addDays } from '../../src/modules/analytics/time-zone.js';
import { seedTraffic } from '../../src/modules/analytics/traffic-seed.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

describe('stratus seed --traffic', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(async () => {
    await t.close();
  });

  it('builds sessions around every Superstore order in the window, with dates shifted to end yesterday', async () => {
    const settings = setAnalyticsSettings({ timeZone: 'UTC', currency: 'usd' });
    const now = Date.parse('2026-11-26T12:00:00.000Z');
    const summary = await seedTraffic(t.ctx.db, settings, {
      days: 14,
      sessionsPerOrder: 3,
      seed: 7,
      nowMs: now,
    });
    // The last Superstore day (2019-12-30) becomes 2026-11-25; the window is its last 14 days.
    const orders = loadSuperstore();
    const last = orders[orders.length - 1]!.date;
    const expected = orders.filter((o) => o.date > addDays(last, -14)).length;
    expect(summary.orders).toBe(expected);
    expect(summary.sessions).toBe(expected * 3);
    const kpis = await computeKpis(
      t.ctx.db,
      { from: Date.parse(summary.from), to: Date.parse(summary.to), timeZone: 'UTC' },
      settings,
    );
    expect(kpis.orders).toBe(expected);
    expect(kpis.funnel[3]!.sessions).toBeGreaterThan(expected * 0.9);
    expect(kpis.conversion_rate).toBeGreaterThan(0.25);
    expect(kpis.conversion_rate).toBeLessThan(0.4);
    expect(kpis.cart_abandonment_rate).toBeGreaterThan(0);
    expect(kpis.gross_revenue).toBeGreaterThan(0);
  });
});
