// Dashboard and rollup timings over a large generated event set.
//   npx tsx bench/analytics/dashboard.ts [--events 10000000] [--days 395] [--day-events 100000] [--runs 9]
//     [--keep /path/big.db | --keep schema_name]
//   BENCH_PG_URL=postgres://… npx tsx bench/analytics/dashboard.ts …
// 1. Generates `events` behaviour events (sessions of 2–8 events over `days` days ending now) through
//    the ingestion writer, a whole day per transaction, and events/50 orders (200k orders per 10M
//    events, as in the issue) in bulk. `--keep` keeps the database (SQLite file, PostgreSQL schema)
//    and reuses it on the next run, skipping generation.
// 2. Times the rollup (the first, full one on a new database), then the headline KPIs for the last 90
//    days with the previous period (`kpisWithComparison`) from rollups (median of `runs`, with the
//    client CPU per call) beside the same computed from raw data, and checks both agree.
// 3. On a fresh database, times the rollup of one day holding `day-events` events (written through the
//    ingestion writer); `--day-events 0` skips it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { DatabaseConfig } from '../../src/config/config.js';
import { loadAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { rebuildBuyers } from '../../src/modules/analytics/distinct-keys.js';
import type { TrackedEvent } from '../../src/modules/analytics/event-model.js';
import { type BufferedEvent, writeEvents } from '../../src/modules/analytics/ingest.writer.js';
import { kpisWithComparison } from '../../src/modules/analytics/kpi.service.js';
import { runRollup } from '../../src/modules/analytics/rollup.service.js';
import { addDays, localDate, startOfLocalDay } from '../../src/modules/analytics/time-zone.js';
import { createDatabase, type Db } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { bulkLoadTraffic } from './bulk-traffic.js';
import { benchDatabase } from './pg-schema.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    days: { type: 'string', default: '395' },
    'day-events': { type: 'string', default: '100000' },
    runs: { type: 'string', default: '9' },
    /** `bulk`: the bulk loader (bulk-traffic.ts); `writer`: through the ingestion writer (slower). */
    via: { type: 'string', default: 'bulk' },
    'raw-runs': { type: 'string', default: '2' },
    /** Keep the large database (SQLite file or PostgreSQL schema) and reuse it next time (skips generation). */
    keep: { type: 'string' },
  },
});
const settings = loadAnalyticsSettings({
  STRATUS_STORE_TIMEZONE: 'Europe/Berlin',
  STRATUS_STORE_CURRENCY: 'eur',
});
const now = Date.now();

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = prng(42);
const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const FLOW = ['page_view', 'view_item', 'view_item', 'add_to_cart', 'begin_checkout'] as const;

function sessionEvents(visitor: string, start: number, out: BufferedEvent[]): void {
  const dims = {
    device_class: pick(['desktop', 'mobile', 'tablet']),
    region_id: pick(['reg_de', 'reg_fr', 'reg_nl', 'reg_it']),
    utm_source: pick(['google', 'newsletter', 'facebook', null, null]),
    utm_medium: pick(['cpc', 'email', 'social', null]),
    customer_group: pick(['retail', 'wholesale', null]),
  };
  const length = 2 + Math.floor(r() * 7);
  for (let i = 0; i < length; i++) {
    const at = new Date(start + i * 50_000).toISOString();
    const name: TrackedEvent['name'] =
      i < FLOW.length && r() < 0.8 ? FLOW[i]! : pick(['page_view', 'view_item', 'search']);
    const product = `prod_${Math.floor(r() * 2000)}`;
    out.push({
      name,
      occurred_at: at,
      visitor_id: visitor,
      client_session_id: null,
      customer_id: null,
      page: `/p/${product}`,
      referrer: null,
      utm_campaign: null,
      currency_code: null,
      value: null,
      items:
        name === 'view_item' || name === 'add_to_cart'
          ? [
              {
                item_id: product,
                item_name: product,
                item_category: `cat_${product.length % 9}`,
                price: 1999,
                quantity: 1,
              },
            ]
          : null,
      search_term: name === 'search' ? pick(['lamp', 'chair', 'desk', 'sofa', 'rug']) : null,
      search_results: name === 'search' ? pick([0, 4, 12]) : null,
      analytics_consent: true,
      channel_id: 'bench',
      received_at: at,
      ...dims,
    });
  }
}

async function insertOrders(db: Db, count: number, from: number, to: number): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const items: Record<string, unknown>[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('analytics_orders')
          .values(rows.slice(i, i + 500) as never[])
          .execute();
      for (let i = 0; i < items.length; i += 500)
        await trx
          .insertInto('analytics_order_items')
          .values(items.slice(i, i + 500) as never[])
          .execute();
    });
    rows.length = 0;
    items.length = 0;
  };
  for (let i = 0; i < count; i++) {
    const placed = new Date(from + Math.floor(r() * (to - from))).toISOString();
    const id = `ord_bench_${i}`;
    const quantity = 1 + Math.floor(r() * 3);
    rows.push({
      order_id: id,
      event_id: `evt_${id}`,
      order_number: null,
      customer_id: `cus_${i % Math.ceil(count * 0.6)}`,
      buyer_key: `cus_${i % Math.ceil(count * 0.6)}`,
      visitor_id: null,
      session_id: null,
      cart_id: null,
      currency_code: 'eur',
      total: quantity * 1999 + 490,
      subtotal: quantity * 1999,
      discount_total: 0,
      tax_total: 0,
      shipping_total: 490,
      placed_at: placed,
      region_id: pick(['reg_de', 'reg_fr', 'reg_nl', 'reg_it']),
      device_class: pick(['desktop', 'mobile', 'tablet']),
      utm_source: pick(['google', 'newsletter', '(direct)']),
      utm_medium: pick(['cpc', 'email', '(none)']),
      customer_group: pick(['retail', 'wholesale', '(none)']),
    });
    items.push({
      order_id: id,
      line: 0,
      product_id: `prod_${Math.floor(r() * 2000)}`,
      variant_id: null,
      quantity,
      unit_price: 1999,
      placed_at: placed,
    });
    if (rows.length >= 5000) await flush();
  }
  await flush();
}

/** Writes `total` events spread over the days of [from, to), day by day in time order. */
async function generate(db: Db, total: number, from: number, to: number): Promise<void> {
  const days = Math.max(1, Math.round((to - from) / 86_400_000));
  const perDay = Math.ceil(total / days);
  let written = 0;
  let visitorSeq = 0;
  for (let d = 0; d < days && written < total; d++) {
    const dayStart = from + d * 86_400_000;
    const out: BufferedEvent[] = [];
    while (out.length < perDay) {
      const returning = r() < 0.3 && visitorSeq > 0;
      const visitor = returning ? `v${Math.floor(r() * visitorSeq)}` : `v${visitorSeq++}`;
      sessionEvents(visitor, dayStart + Math.floor(r() * 86_000_000), out);
    }
    out.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : 1));
    const today = out
      .slice(0, Math.min(out.length, total - written))
      .filter((e) => Date.parse(e.occurred_at) < now);
    // A day per transaction: the writer's session and visitor lookups and upserts amortise best.
    for (let i = 0; i < today.length; i += 50_000)
      await writeEvents(db, today.slice(i, i + 50_000), settings);
    written += today.length;
    if (d % 30 === 0) process.stdout.write(`  generated ${written} events (day ${d + 1}/${days})\n`);
  }
}

async function open(keep?: string): Promise<{ db: Db; dialect: string; close(): Promise<void> }> {
  const pg = await benchDatabase(keep);
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-dash-'));
  const config: DatabaseConfig = pg.database ?? { kind: 'sqlite', file: keep ?? path.join(dir, 'bench.db') };
  const database = createDatabase(config);
  await migrateToLatest(database.db);
  return {
    db: database.db,
    dialect: database.dialect,
    close: async () => {
      await database.destroy();
      await pg.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const totalEvents = Number(values.events);
const days = Number(values.days);
const runs = Number(values.runs);
const big = await open(values.keep);
try {
  const today = localDate(now, settings.timeZone);
  const from = startOfLocalDay(addDays(today, -days), settings.timeZone);
  let t = performance.now();
  const cpuAtStart = process.cpuUsage();
  const existing = await big.db.selectFrom('analytics_orders').select('order_id').limit(1).execute();
  const fresh = existing.length === 0;
  if (fresh) {
    if (values.via === 'writer') await generate(big.db, totalEvents, from, now);
    else
      await bulkLoadTraffic(
        big.db,
        totalEvents,
        addDays(today, -days),
        now,
        { random: r, timeZone: settings.timeZone },
        (written, day, all) => {
          if (day % 30 === 0) process.stdout.write(`  loaded ${written} events (day ${day + 1}/${all})\n`);
        },
      );
    await insertOrders(big.db, Math.round(totalEvents / 50), from, now);
    // Orders were bulk-inserted past the order.placed subscriber: derive each buyer's first orders.
    await rebuildBuyers(big.db);
  }
  const counts = await sql<{ events: number; sessions: number; visitors: number; orders: number }>`
    select (select count(*) from analytics_events) as events, (select count(*) from analytics_sessions) as sessions,
           (select count(*) from analytics_visitors) as visitors, (select count(*) from analytics_orders) as orders`.execute(
    big.db,
  );
  const c = counts.rows[0]!;
  const genMs = performance.now() - t;
  const genCpu = process.cpuUsage(cpuAtStart);
  console.log(
    `${big.dialect}: ${fresh ? 'generated' : 'reused'} ${c.events} events, ${c.sessions} sessions, ${c.visitors} visitors, ` +
      `${c.orders} orders over ${days} days` +
      (fresh
        ? ` ${values.via === 'writer' ? 'through the writer' : 'in bulk'} in ${(genMs / 1000).toFixed(0)} s ` +
          `(${Math.round(Number(c.events) / (genMs / 1000))} events/s; client CPU ${(genCpu.user + genCpu.system) / 1e6} s)`
        : ''),
  );

  t = performance.now();
  const run = await runRollup(big.db, settings, now);
  console.log(
    `${big.dialect}: ${fresh ? 'first full' : 'incremental'} rollup (${run.hours} hours, ${run.days} days) ${ms(t)}`,
  );

  const range = {
    from: startOfLocalDay(addDays(today, -89), settings.timeZone),
    to: startOfLocalDay(addDays(today, 1), settings.timeZone),
    timeZone: settings.timeZone,
  };
  const wall: number[] = [];
  const cpu: number[] = [];
  let rolled: Awaited<ReturnType<typeof kpisWithComparison>> | undefined;
  for (let i = 0; i < runs + 1; i++) {
    const c0 = process.cpuUsage();
    t = performance.now();
    rolled = await kpisWithComparison(big.db, range, settings);
    const elapsed = performance.now() - t;
    const used = process.cpuUsage(c0);
    if (i === 0) continue; // warm-up: statement cache and pages
    wall.push(elapsed);
    cpu.push((used.user + used.system) / 1000);
  }
  const state = await big.db.selectFrom('analytics_rollup_state').selectAll().execute();
  await big.db.deleteFrom('analytics_rollup_state').execute();
  const rawWall: number[] = [];
  let raw: typeof rolled;
  try {
    for (let i = 0; i < Number(values['raw-runs']); i++) {
      t = performance.now();
      raw = await kpisWithComparison(big.db, range, settings);
      rawWall.push(performance.now() - t);
    }
  } finally {
    await big.db.insertInto('analytics_rollup_state').values(state).execute();
  }
  const inRange = await big.db
    .selectFrom('analytics_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('occurred_at', '>=', new Date(previousStart(range)).toISOString())
    .executeTakeFirstOrThrow();
  const rolledMs = median(wall);
  const rawMs = rawWall.length === 0 ? Number.NaN : median(rawWall);
  console.log(
    `${big.dialect}: headline KPIs, last 90 days + previous 90 (${inRange.n} events, ` +
      `${rolled!.current.orders + rolled!.previous.orders} orders in the 180 days; open day read raw): ` +
      `rollups median ${rolledMs.toFixed(1)} ms of ${runs} (min ${Math.min(...wall).toFixed(1)}, max ${Math.max(...wall).toFixed(1)}; ` +
      `client CPU median ${median(cpu).toFixed(1)} ms), ` +
      (rawWall.length === 0
        ? 'raw scan skipped (--raw-runs 0)'
        : `raw scan median ${rawMs.toFixed(0)} ms of ${rawWall.length}, ratio ${(rawMs / rolledMs).toFixed(0)}x, ` +
          `same figures: ${JSON.stringify(raw) === JSON.stringify(rolled)}`),
  );
  console.log(
    `${big.dialect}: current users ${rolled!.current.users}, sessions ${rolled!.current.sessions}, ` +
      `repeat purchase rate ${rolled!.current.repeat_purchase_rate}`,
  );
} finally {
  await big.close();
}

function previousStart(range: { from: number; to: number }): number {
  return range.from - (range.to - range.from);
}

if (Number(values['day-events']) > 0) {
  const small = await open();
  try {
    const dayEvents = Number(values['day-events']);
    const day = addDays(localDate(now, settings.timeZone), -2);
    const from = startOfLocalDay(day, settings.timeZone);
    const to = startOfLocalDay(addDays(day, 1), settings.timeZone);
    await generate(small.db, dayEvents, from, to);
    await insertOrders(small.db, Math.round(dayEvents / 50), from, to);
    await rebuildBuyers(small.db);
    // The watermark sits at the day's start, so the run rolls exactly that day's hours (and the empty
    // hours up to now) and then the day itself.
    await small.db
      .insertInto('analytics_rollup_state')
      .values({ name: 'hourly_watermark', value: new Date(from).toISOString() })
      .execute();
    const c0 = process.cpuUsage();
    const t = performance.now();
    const run = await runRollup(small.db, settings, to + 1);
    const used = process.cpuUsage(c0);
    console.log(
      `${small.dialect}: rollup of one day with ${dayEvents} events and ${dayEvents / 50} orders (${run.hours} hours + ${run.days} day): ${ms(t)} ` +
        `(client CPU ${((used.user + used.system) / 1000).toFixed(0)} ms)`,
    );
  } finally {
    await small.close();
  }
}
