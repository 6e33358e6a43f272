import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { DIMENSIONS } from '../../src/modules/analytics/dimensions.js';
import {
  breakdown,
  computeKpis,
  type ReportRange,
  searchReport,
  timeSeries,
  topProducts,
} from '../../src/modules/analytics/kpi.service.js';
import { planReport } from '../../src/modules/analytics/report-plan.js';
import { runRollup } from '../../src/modules/analytics/rollup.service.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { loadRandomTraffic, prng } from './random-traffic.js';

const START = Date.parse('2026-03-01T00:00:00.000Z');
const HOURS = 96;

async function everything(t: TestContext, settings: AnalyticsSettings, ranges: ReportRange[]) {
  const out: unknown[] = [];
  for (const range of ranges) {
    out.push(await computeKpis(t.ctx.db, range, settings));
    for (const d of DIMENSIONS) out.push(await breakdown(t.ctx.db, range, settings, d));
    out.push(await computeKpis(t.ctx.db, range, settings, { device_class: 'mobile' }));
    out.push(await topProducts(t.ctx.db, range, settings, 'views', 50));
    out.push(await searchReport(t.ctx.db, range, settings, 50));
    out.push(await timeSeries(t.ctx.db, range, settings, 'revenue', 'day'));
    out.push(await timeSeries(t.ctx.db, range, settings, 'sessions', 'hour', {}, 'device_class'));
  }
  return out;
}

/** Random ranges: whole local days in the store zone and in other zones, and odd instants. */
function ranges(seed: number, storeZone: string): ReportRange[] {
  const r = prng(seed * 7 + 1);
  const list: ReportRange[] = [
    { from: START - 86_400_000, to: START + (HOURS + 48) * 3_600_000, timeZone: storeZone },
    // Whole store days inside, partial days at both edges: distinct keys from both sources.
    { from: START + 7 * 3_600_000, to: START + 90 * 3_600_000, timeZone: storeZone },
  ];
  for (let i = 0; i < 4; i++) {
    const a = START + Math.floor(r() * HOURS * 3_600_000);
    const b = a + 1 + Math.floor(r() * 60 * 3_600_000);
    list.push({ from: a, to: b, timeZone: i % 2 ? 'UTC' : 'Asia/Kathmandu' });
  }
  return list;
}

describe.each([
  { zone: 'Europe/Berlin', seed: 11 },
  { zone: 'Asia/Kolkata', seed: 23 },
])('rollups equal the raw computation ($zone, seed $seed)', ({ zone, seed }) => {
  let t: TestContext;
  let settings: AnalyticsSettings;
  beforeEach(async () => {
    settings = setAnalyticsSettings({ timeZone: zone, currency: 'usd' });
    t = await createTestContext();
    await loadRandomTraffic(t.ctx.db, settings, seed, START, HOURS, 80);
  });
  afterEach(async () => {
    await t.close();
  });

  it('for every KPI, breakdown and report, before and after late data', async () => {
    const rs = ranges(seed, zone);
    const raw = await everything(t, settings, rs);
    const now = START + (HOURS + 72) * 3_600_000;
    await runRollup(t.ctx.db, settings, now);
    const plan = await planReport(t.ctx.db, rs[0]!.from, rs[0]!.to, settings, { allowDaily: true });
    expect(plan.days.length).toBeGreaterThan(3);
    // Only slivers of an hour cut by a half-hour zone's midnight are left to raw data.
    expect(plan.raw.every(([a, b]) => b - a < 3_600_000)).toBe(true);
    expect(await everything(t, settings, rs)).toEqual(raw);
    // Users and buyers came from the distinct-key rollups, not from sessions and orders.
    const kinds = await t.ctx.db
      .selectFrom('analytics_rollup_key_days')
      .select('kind')
      .distinct()
      .orderBy('kind')
      .execute();
    expect(kinds.map((k) => k.kind)).toEqual(['buyer', 'visitor']);
    expect(plan.keyDays).toBe(true);

    // Late data lands in rolled-up hours: they turn dirty and are read raw until the next run.
    await loadRandomTraffic(t.ctx.db, settings, seed + 1000, START, HOURS, 20);
    const rawAfterLate = await (async () => {
      const saved = await t.ctx.db.selectFrom('analytics_rollup_state').selectAll().execute();
      await t.ctx.db.deleteFrom('analytics_rollup_state').execute();
      const result = await everything(t, settings, rs);
      await t.ctx.db.insertInto('analytics_rollup_state').values(saved).execute();
      return result;
    })();
    expect(rawAfterLate).not.toEqual(raw);
    expect(await everything(t, settings, rs)).toEqual(rawAfterLate);
    await runRollup(t.ctx.db, settings, now);
    const replanned = await planReport(t.ctx.db, rs[0]!.from, rs[0]!.to, settings, { allowDaily: true });
    expect(replanned).toEqual(plan);
    expect(await everything(t, settings, rs)).toEqual(rawAfterLate);
  }, 180_000); // many reports on both sources: slow on a shared, loaded machine

  it('late data on an early day keeps the distinct counts of later rolled days exact', async () => {
    const rs = ranges(seed, zone);
    const now = START + (HOURS + 72) * 3_600_000;
    await runRollup(t.ctx.db, settings, now);
    // Returning visitors and buyers on the first day only: later days stay clean, yet the previous
    // day of their keys there changes, so the job recomputes those days' distinct-key rows.
    await loadRandomTraffic(t.ctx.db, settings, seed + 2000, START, 12, 15);
    await runRollup(t.ctx.db, settings, now);
    const viaRollups = await everything(t, settings, rs);
    await t.ctx.db.deleteFrom('analytics_rollup_state').execute();
    expect(viaRollups).toEqual(await everything(t, settings, rs));
  }, 180_000);
});
