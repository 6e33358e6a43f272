// Where the time of the headline KPI query goes, on a database kept by dashboard.ts (--keep):
//   npx tsx bench/analytics/kpi-parts.ts --keep /path/big.db   (or BENCH_PG_URL=… --keep schema)
import { parseArgs } from 'node:util';
import { loadAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { previousRange } from '../../src/modules/analytics/kpi.service.js';
import { planReport } from '../../src/modules/analytics/report-plan.js';
import { loadMetrics, loadRepeatBuyers, loadUsers } from '../../src/modules/analytics/report-source.js';
import { addDays, localDate, startOfLocalDay } from '../../src/modules/analytics/time-zone.js';
import { createDatabase } from '../../src/platform/db/database.js';
import { benchDatabase } from './pg-schema.js';

const { values } = parseArgs({
  options: { keep: { type: 'string' }, runs: { type: 'string', default: '7' } },
});
if (!values.keep) throw new Error('--keep is required');
const settings = loadAnalyticsSettings({
  STRATUS_STORE_TIMEZONE: 'Europe/Berlin',
  STRATUS_STORE_CURRENCY: 'eur',
});
const pg = await benchDatabase(values.keep);
const database = createDatabase(pg.database ?? { kind: 'sqlite', file: values.keep });
const db = database.db;
const today = localDate(Date.now(), settings.timeZone);
const current = {
  from: startOfLocalDay(addDays(today, -89), settings.timeZone),
  to: startOfLocalDay(addDays(today, 1), settings.timeZone),
  timeZone: settings.timeZone,
};
const parts: Record<string, (r: typeof current) => Promise<unknown>> = {
  plan: (r) => planReport(db, r.from, r.to, settings, { allowDaily: true }),
  metrics: (r) => loadMetrics(db, r.from, r.to, settings, {}, {}),
  users: (r) => loadUsers(db, r.from, r.to, settings, {}),
  repeat: (r) => loadRepeatBuyers(db, r.from, r.to, settings, {}),
};
for (const [label, range] of [
  ['current', current],
  ['previous', previousRange(current)],
] as const) {
  for (const [name, part] of Object.entries(parts)) {
    const times: number[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const t = performance.now();
      await part(range);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(
      `${database.dialect} ${label} ${name}: median ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms`,
    );
  }
}
await database.destroy();
