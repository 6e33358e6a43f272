import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { readRollupState } from './rollup.service.js';
import { addDays, HOUR_MS, hourStart, localDate, startOfLocalDay } from './time-zone.js';

/**
 * Which source serves each part of a report range: store-local days from the daily rollups, whole
 * UTC hours from the hourly rollups, and everything else (the open hour, hours not rolled up or
 * dirtied by late data, partial hours at the edges) from raw data. Every part is exact, so the sum is.
 */
export interface ReportPlan {
  days: string[];
  /** Contiguous runs of hourly-rollup hours: [start, end) in ms. */
  hourRuns: [number, number][];
  raw: [number, number][];
  /** Rolled days carry distinct-key rows (users, buyers). */
  keyDays: boolean;
}

function pushRun(runs: [number, number][], a: number, b: number): void {
  const last = runs[runs.length - 1];
  if (last && last[1] === a) last[1] = b;
  else runs.push([a, b]);
}

export async function planReport(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
  options: { allowDaily: boolean },
): Promise<ReportPlan> {
  const firstDay = localDate(from, settings.timeZone);
  const lastDay = localDate(to - 1, settings.timeZone);
  // Both reads at once: a dashboard pays round trips, not work, for these.
  const [state, rolledDays] = await Promise.all([
    readRollupState(db),
    options.allowDaily
      ? db
          .selectFrom('analytics_rolled_days')
          .select('day')
          .where('day', '>=', firstDay)
          .where('day', '<=', lastDay)
          .execute()
          .then((rows) => new Set(rows.map((r) => r.day)))
      : Promise.resolve(new Set<string>()),
  ]);
  const plan: ReportPlan = { days: [], hourRuns: [], raw: [], keyDays: state.keyDays };
  const rolled = (h: number) =>
    state.watermark !== null && h + HOUR_MS <= state.watermark && !state.dirty.has(h);
  const dayServed = new Set<string>();
  if (options.allowDaily && state.watermark !== null) {
    const candidates: string[] = [];
    for (let d = firstDay; d <= lastDay; d = addDays(d, 1)) candidates.push(d);
    for (const d of candidates) {
      const a = startOfLocalDay(d, settings.timeZone);
      const b = startOfLocalDay(addDays(d, 1), settings.timeZone);
      if (a < from || b > to || !rolledDays.has(d) || b > state.watermark) continue;
      let clean = true;
      for (const h of state.dirty) if (h + HOUR_MS > a && h < b) clean = false;
      if (clean) dayServed.add(d);
    }
    plan.days = [...dayServed];
  }
  const servedDays = plan.days.map(
    (d) =>
      [startOfLocalDay(d, settings.timeZone), startOfLocalDay(addDays(d, 1), settings.timeZone)] as const,
  );
  let t = from;
  while (t < to) {
    const day = servedDays.find(([a, b]) => t >= a && t < b);
    if (day) {
      t = day[1];
      continue;
    }
    const h = hourStart(t);
    const next = Math.min(
      h + HOUR_MS,
      to,
      servedDays.find(([a]) => a > t && a < h + HOUR_MS)?.[0] ?? Infinity,
    );
    if (t === h && next === h + HOUR_MS && rolled(h)) pushRun(plan.hourRuns, h, next);
    else pushRun(plan.raw, t, next);
    t = next;
  }
  return plan;
}
