import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import {
  breakdown,
  kpisWithComparison,
  searchReport,
  timeSeries,
  topCategories,
  topProducts,
  viewedNotBought,
} from '../../src/modules/analytics/kpi.service.js';
import { planReport } from '../../src/modules/analytics/report-plan.js';
import { parseRange } from '../../src/modules/analytics/report-range.js';
import { runRollup } from '../../src/modules/analytics/rollup.service.js';
import { buildApp } from '../../src/platform/http/app.js';
import { registeredJobs } from '../../src/platform/jobs/registry.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { D, est, fixtureSettings, loadFixture, ZONE } from './fixture.js';

/*
 * Hand computation for local day D = 2026-01-10 in America/New_York (previous period: 2026-01-09).
 * Sessions in D: S1 v1, S2 v2, S3 v2 (58 idle minutes), S4 v3 (S5 after midnight is D+1), S6 v4,
 *   S7 v5, S8 v7, S9 v8 (spans UTC midnight, one local day)                          -> 8
 * Users: v1 v2 v3 v4 v5 v7 v8 -> 7; new (first session in D): all but v4 -> 6; returning 1
 * Purchase sessions: S1 (ord_1 by visitor), S7 (ord_2 by visitor), S8 (ord_3 by customer cus_1,
 *   linked to v7 at login) -> 3; conversion 3/8 = 0.375
 * Funnel (nested): view S1 S2 S3 S4 S6 S7 S9 = 7; +cart S1 S3 S6 S7 = 4; +checkout S1 S6 S7 = 3;
 *   +purchase S1 S7 = 2; drop-offs 3/7, 1/4, 1/3
 * Checkout abandonment: checkout sessions S1 S6 S7 = 3, of which purchased S1 S7 -> 1 - 2/3
 * Orders (usd): ord_1 5000, ord_2 3000, ord_3 2000, ord_4 1500 -> 4, gross 11500; ord_5 is EUR.
 *   Refund 1000 on ord_2 -> net 10500; AOV 10500/4 = 2625
 * Carts created in D: cart_1 cart_2 cart_4 cart_5 (cart_3 is D+1) -> 4; converted cart_1 cart_5 -> 2; 0.5
 * Repeat purchase: buyers cus_1 (ord_1, ord_3), cus_2 (ord_2); ord_4 is a guest -> 1/2
 * Page views (consented): S1 S2 S4 S8 S9 -> 5. v6's page view is a cookieless count.
 * D-1: S0 (v4, new), ord_0 4000 (cus_9, no session): sessions 1, users 1, new 1, orders 1, revenue 4000.
 */
describe('KPIs on the hand-computed fixture', () => {
  let t: TestContext;
  let settings: AnalyticsSettings;
  const range = () => parseRange({ from: D, to: D, tz: ZONE }, settings);

  beforeAll(async () => {
    settings = setAnalyticsSettings(fixtureSettings);
    t = await createTestContext();
    await loadFixture(t.ctx.db, settings);
  });
  afterAll(async () => {
    await t.close();
  });

  const expectedCurrent = {
    sessions: 8,
    users: 7,
    new_users: 6,
    returning_users: 1,
    conversion_rate: 0.375,
    orders: 4,
    gross_revenue: 11500,
    refunds: 1000,
    revenue: 10500,
    aov: 2625,
    cart_abandonment_rate: 0.5,
    checkout_abandonment_rate: 0.333333,
    repeat_purchase_rate: 0.5,
    carts_created: 4,
    carts_converted: 2,
    page_views: 5,
    funnel: [
      { step: 'view_item', sessions: 7, drop_off: null },
      { step: 'add_to_cart', sessions: 4, drop_off: 0.428571 },
      { step: 'begin_checkout', sessions: 3, drop_off: 0.25 },
      { step: 'purchase', sessions: 2, drop_off: 0.333333 },
    ],
  };
  const expectedPrevious = {
    sessions: 1,
    users: 1,
    new_users: 1,
    returning_users: 0,
    conversion_rate: 0,
    orders: 1,
    gross_revenue: 4000,
    refunds: 0,
    revenue: 4000,
    aov: 4000,
    cart_abandonment_rate: null,
    checkout_abandonment_rate: null,
    repeat_purchase_rate: 0,
    carts_created: 0,
    carts_converted: 0,
    page_views: 1,
    funnel: [
      { step: 'view_item', sessions: 1, drop_off: null },
      { step: 'add_to_cart', sessions: 0, drop_off: 1 },
      { step: 'begin_checkout', sessions: 0, drop_off: null },
      { step: 'purchase', sessions: 0, drop_off: null },
    ],
  };

  async function checkEverything() {
    const k = await kpisWithComparison(t.ctx.db, range(), settings);
    expect(k.current).toEqual(expectedCurrent);
    expect(k.previous).toEqual(expectedPrevious);
    expect(k.change.sessions).toBe(7);
    expect(k.change.orders).toBe(3);
    expect(k.change.revenue).toBe(1.625);
    expect(k.change.cart_abandonment_rate).toBeNull();

    const devices = await breakdown(t.ctx.db, range(), settings, 'device_class');
    const byDevice = Object.fromEntries(devices.map((d) => [d.value, d]));
    expect(Object.keys(byDevice).sort()).toEqual(['desktop', 'mobile', 'tablet', 'unknown']);
    expect([byDevice.desktop!.sessions, byDevice.desktop!.users, byDevice.desktop!.orders]).toEqual([
      5, 5, 3,
    ]);
    expect(byDevice.desktop!.revenue).toBe(5000 + 3000 - 1000 + 2000);
    expect([byDevice.mobile!.sessions, byDevice.mobile!.users, byDevice.mobile!.carts_created]).toEqual([
      2, 1, 1,
    ]);
    expect([byDevice.tablet!.sessions, byDevice.tablet!.checkout_abandonment_rate]).toEqual([1, 1]);
    expect([byDevice.unknown!.sessions, byDevice.unknown!.orders, byDevice.unknown!.revenue]).toEqual([
      0, 1, 1500,
    ]);

    const sources = await breakdown(t.ctx.db, range(), settings, 'utm_source');
    expect(sources.map((s) => [s.value, s.sessions])).toEqual([
      ['(direct)', 5],
      ['google', 1],
      ['news.example.com', 1],
      ['newsletter', 1],
    ]);
    const groups = await breakdown(t.ctx.db, range(), settings, 'customer_group');
    expect(groups.map((g) => [g.value, g.sessions, g.orders])).toEqual([
      ['(none)', 6, 3],
      ['vip', 2, 1],
    ]);
    const regions = await breakdown(t.ctx.db, range(), settings, 'region_id');
    expect(regions.map((r) => [r.value, r.sessions, r.orders, r.revenue])).toEqual([
      ['reg_us', 5, 2, 7000],
      ['reg_eu', 3, 2, 3500],
    ]);

    const products = await topProducts(t.ctx.db, range(), settings, 'revenue', 10);
    expect(
      products.map((p) => [p.product_id, p.views, p.add_to_carts, p.orders, p.units, p.revenue]),
    ).toEqual([
      ['prod_1', 3, 2, 1, 2, 5000],
      ['prod_2', 3, 2, 1, 1, 3000],
      ['prod_3', 2, 0, 1, 1, 2000],
      ['prod_4', 0, 0, 1, 3, 1500],
    ]);
    expect(products[0]!.add_to_cart_rate).toBe(0.666667);
    expect(products[0]!.purchase_rate).toBe(0.333333);
    const byRate = await topProducts(t.ctx.db, range(), settings, 'purchase_rate', 10);
    expect(byRate.map((p) => p.product_id)).toEqual(['prod_3', 'prod_1', 'prod_2']);
    const byUnits = await topProducts(t.ctx.db, range(), settings, 'units', 1);
    expect(byUnits.map((p) => p.product_id)).toEqual(['prod_4']);
    const rarely = await viewedNotBought(t.ctx.db, range(), settings, 3, 10);
    expect(rarely.map((p) => p.product_id)).toEqual(['prod_1', 'prod_2']);
    const categories = await topCategories(t.ctx.db, range(), settings, 10);
    expect(categories.map((c) => [c.category, c.views, c.revenue])).toEqual([
      ['Furniture', 6, 8000],
      ['Lighting', 2, 2000],
      ['(uncategorised)', 0, 1500],
    ]);
    const searches = await searchReport(t.ctx.db, range(), settings, 10);
    expect(searches.top).toEqual([
      { term: 'chair', searches: 1, zero_results: 0 },
      { term: 'lamp', searches: 1, zero_results: 1 },
    ]);
    expect(searches.zero_results.map((s) => s.term)).toEqual(['lamp']);

    const twoDays = parseRange({ from: '2026-01-09', to: D, tz: ZONE }, settings);
    const series = await timeSeries(t.ctx.db, twoDays, settings, 'sessions', 'day');
    expect(series).toEqual([
      { bucket: '2026-01-09', group: '', value: 1 },
      { bucket: '2026-01-10', group: '', value: 8 },
    ]);
    // The same two days read in UTC: S4 (04:50Z on the 11th) and S8 (01:00Z on the 11th) move a day.
    const utc = await timeSeries(
      t.ctx.db,
      parseRange({ from: '2026-01-09', to: '2026-01-11', tz: 'UTC' }, settings),
      settings,
      'sessions',
      'day',
    );
    expect(utc).toEqual([
      { bucket: '2026-01-09', group: '', value: 1 },
      { bucket: '2026-01-10', group: '', value: 6 },
      { bucket: '2026-01-11', group: '', value: 3 },
    ]);
  }

  it('computes every KPI, breakdown and report from raw data', async () => {
    const plan = await planReport(t.ctx.db, range().from, range().to, settings, { allowDaily: true });
    expect(plan.days).toEqual([]);
    expect(plan.hourRuns).toEqual([]);
    await checkEverything();
  });

  it('keeps consentless events as cookieless counts and links visitors to customers', async () => {
    const counts = await t.ctx.db.selectFrom('analytics_cookieless_counts').selectAll().execute();
    expect(counts).toEqual([
      { bucket: est(`${D} 12:00`), name: 'page_view', device_class: 'mobile', count: 1 },
    ]);
    expect(
      await t.ctx.db.selectFrom('analytics_events').where('visitor_id', '=', 'v6').selectAll().execute(),
    ).toEqual([]);
    const v7 = await t.ctx.db
      .selectFrom('analytics_events')
      .select('customer_id')
      .where('visitor_id', '=', 'v7')
      .execute();
    expect(v7.map((e) => e.customer_id)).toEqual(['cus_1', 'cus_1', 'cus_1']);
    const s1 = await t.ctx.db
      .selectFrom('analytics_sessions')
      .select('customer_id')
      .where('visitor_id', '=', 'v1')
      .execute();
    expect(s1).toEqual([{ customer_id: 'cus_1' }]);
  });

  it('gives the same figures from the rollups, and re-running the rollup changes nothing', async () => {
    const run = await runRollup(t.ctx.db, settings, Date.parse('2026-01-14T00:00:00.000Z'));
    expect(run.hours).toBeGreaterThan(48);
    const plan = await planReport(t.ctx.db, range().from, range().to, settings, { allowDaily: true });
    expect(plan).toEqual({ days: [D], hourRuns: [], raw: [], keyDays: true });
    await checkEverything();

    const snapshot = async () =>
      Promise.all(
        (
          [
            'analytics_rollup_hourly',
            'analytics_rollup_daily',
            'analytics_rollup_products_hourly',
            'analytics_rollup_products_daily',
            'analytics_rollup_searches_daily',
          ] as const
        ).map((table) =>
          t.ctx.db
            .selectFrom(table)
            .selectAll()
            .orderBy('bucket')
            .execute()
            .then((rows) => rows.map((r) => JSON.stringify(r)).sort()),
        ),
      );
    const before = await snapshot();
    const again = await runRollup(t.ctx.db, settings, Date.parse('2026-01-14T00:00:00.000Z'));
    expect(again.hours).toBe(0);
    // Forcing a full recomputation of every hour and day gives identical tables.
    await t.ctx.db.deleteFrom('analytics_rollup_state').execute();
    await runRollup(t.ctx.db, settings, Date.parse('2026-01-14T00:00:00.000Z'));
    expect(await snapshot()).toEqual(before);
  });

  it('serves the KPIs over HTTP with the analytics:read permission', async () => {
    t.ctx.auth = {
      authenticate: async (request) =>
        request.headers['x-test-principal'] === 'analyst'
          ? { kind: 'staff', id: 'usr_analyst', permissions: new Set(['analytics:read']) }
          : null,
    };
    const app = await buildApp(t.ctx);
    try {
      const url = `/admin/analytics/kpis?from=${D}&to=${D}&tz=${encodeURIComponent(ZONE)}`;
      expect((await app.inject({ url })).statusCode).toBe(401);
      const res = await app.inject({ url, headers: { 'x-test-principal': 'analyst' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().current).toEqual(expectedCurrent);
      expect(res.json().range).toEqual({
        from: est(`${D} 00:00`),
        to: est('2026-01-11 00:00'),
        time_zone: ZONE,
      });
      const one = await app.inject({
        url: `/admin/analytics/kpis/aov?from=${D}&to=${D}`,
        headers: { 'x-test-principal': 'analyst' },
      });
      expect(one.json()).toMatchObject({ name: 'aov', value: 2625, previous: 4000 });
      const csv = await app.inject({
        url: `/admin/analytics/export?report=products&from=${D}&to=${D}`,
        headers: { 'x-test-principal': 'analyst' },
      });
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\r\n')[1]).toBe('prod_1,3,2,1,2,5000,Bookcase,Furniture,0.666667,0.333333');
      const bad = await app.inject({
        url: '/admin/analytics/kpis?from=2026-02-01&to=2026-01-01',
        headers: { 'x-test-principal': 'analyst' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('INVALID_REPORT_RANGE');
      const badZone = await app.inject({
        url: '/admin/analytics/funnel?tz=Mars/Olympus',
        headers: { 'x-test-principal': 'analyst' },
      });
      expect(badZone.json().error.code).toBe('INVALID_REPORT_RANGE');
    } finally {
      await app.close();
    }
  });

  it('is kept up to date by the registered scheduled job', async () => {
    const jobs = registeredJobs().map((j) => j.name);
    expect(jobs).toEqual(expect.arrayContaining(['analytics.rollup', 'analytics.retention']));
    const job = registeredJobs().find((j) => j.name === 'analytics.rollup')!;
    await job.run({ db: t.ctx.db, logger: createLogger('silent') });
    const mark = await t.ctx.db
      .selectFrom('analytics_rollup_state')
      .select('value')
      .where('name', '=', 'hourly_watermark')
      .executeTakeFirstOrThrow();
    expect(mark.value).toBe(new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString());
    await checkEverything();
  });
});
