// Fast bulk load of behaviour traffic for the dashboard benchmark: builds sessions, their events and
// visitors in memory, as the ingestion writer would store them (same columns, same session
// dimensions), and inserts a day per transaction with large multi-row statements (SQLite) or one
// unnest statement per table and 20k rows (PostgreSQL). It skips the writer's per-event session
// lookups, which the ingestion benchmark measures; the dashboard benchmark only needs the rows.
import { CompiledQuery } from 'kysely';
import { sessionDimensions } from '../../src/modules/analytics/dimensions.js';
import type { TrackedEvent } from '../../src/modules/analytics/event-model.js';
import { EVENT_COLUMNS } from '../../src/modules/analytics/ingest.writer.js';
import { ensurePartitions } from '../../src/modules/analytics/partitions.js';
import { addDays, localDate, startOfLocalDay } from '../../src/modules/analytics/time-zone.js';
import type { Db } from '../../src/platform/db/database.js';
import { dialectOf } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/db/ids.js';
import type { Trx } from '../../src/platform/db/transaction.js';

const SESSION_COLUMNS = [
  'id',
  'visitor_id',
  'customer_id',
  'started_at',
  'last_event_at',
  'local_date',
  'event_count',
  'landing_page',
  'is_first',
  'has_view_item',
  'has_add_to_cart',
  'has_begin_checkout',
  'has_purchase',
  'region_id',
  'device_class',
  'utm_source',
  'utm_medium',
  'customer_group',
];
const VISITOR_COLUMNS = [
  'visitor_id',
  'customer_id',
  'first_seen_at',
  'last_event_at',
  'last_session_id',
  'last_session_started_at',
  'last_local_date',
];
const PG_TYPES: Record<string, string> = {
  value: 'bigint',
  search_results: 'integer',
  event_count: 'integer',
  is_first: 'integer',
  has_view_item: 'integer',
  has_add_to_cart: 'integer',
  has_begin_checkout: 'integer',
  has_purchase: 'integer',
};

const sqliteText = new Map<string, string>();

/** Inserts flat row-major `params` (`columns.length` per row). */
async function bulkInsert(
  trx: Trx,
  table: string,
  columns: readonly string[],
  params: unknown[],
): Promise<void> {
  const width = columns.length;
  const rows = params.length / width;
  if (dialectOf(trx) === 'postgres') {
    const per = 20_000;
    for (let start = 0; start < rows; start += per) {
      const count = Math.min(per, rows - start);
      const arrays = columns.map((_, c) => {
        const column = new Array<unknown>(count);
        for (let r = 0; r < count; r++) column[r] = params[(start + r) * width + c];
        return column;
      });
      const text = `insert into ${table} (${columns.join(',')}) select * from unnest(${columns
        .map((column, i) => `$${i + 1}::${PG_TYPES[column] ?? 'text'}[]`)
        .join(',')})`;
      await trx.executeQuery(CompiledQuery.raw(text, arrays));
    }
    return;
  }
  const per = Math.floor(30_000 / width);
  for (let start = 0; start < rows; start += per) {
    const count = Math.min(per, rows - start);
    const key = `${table}:${count}`;
    let text = sqliteText.get(key);
    if (!text) {
      const tuple = `(${columns.map(() => '?').join(',')})`;
      text = `insert into ${table} (${columns.join(',')}) values ${Array.from({ length: count }, () => tuple).join(',')}`;
      sqliteText.set(key, text);
    }
    await trx.executeQuery(CompiledQuery.raw(text, params.slice(start * width, (start + count) * width)));
  }
}

export interface TrafficShape {
  /** Uniform [0, 1) numbers, seeded by the caller. */
  random: () => number;
  timeZone: string;
}

const FLOW = ['page_view', 'view_item', 'view_item', 'add_to_cart', 'begin_checkout'] as const;
const FLAG: Record<string, number> = { view_item: 9, add_to_cart: 10, begin_checkout: 11 };

/**
 * Sessions of 2–8 events 50 s apart, in the GA4 funnel order with some noise; 30 % of sessions are
 * by an earlier visitor. Loads about `total` events over the store-local days from `firstDay` to the day of `now` (events
 * after `now` are left out). Returns the number of events written.
 */
export async function bulkLoadTraffic(
  db: Db,
  total: number,
  firstDay: string,
  now: number,
  shape: TrafficShape,
  progress: (written: number, day: number, days: number) => void = () => {},
): Promise<number> {
  const r = shape.random;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const lastDay = localDate(now, shape.timeZone);
  const dayList: string[] = [];
  for (let d = firstDay; d <= lastDay; d = addDays(d, 1)) dayList.push(d);
  const perDay = Math.ceil(total / dayList.length);
  const itemJson = new Map<number, string>();
  const items = (n: number) => {
    let json = itemJson.get(n);
    if (!json) {
      json = JSON.stringify([
        {
          item_id: `prod_${n}`,
          item_name: `prod_${n}`,
          item_category: `cat_${n % 9}`,
          price: 1999,
          quantity: 1,
        },
      ]);
      itemJson.set(n, json);
    }
    return json;
  };
  let visitors = 0;
  let written = 0;
  for (let index = 0; index < dayList.length && written < total; index++) {
    const day = dayList[index]!;
    const dayStart = startOfLocalDay(day, shape.timeZone);
    const dayEnd = startOfLocalDay(addDays(day, 1), shape.timeZone);
    const events: unknown[] = [];
    const sessions: unknown[] = [];
    const newVisitors: unknown[] = [];
    const instants: string[] = [];
    let count = 0;
    while (count < Math.min(perDay, total - written)) {
      const returning = visitors > 0 && r() < 0.3;
      const visitor = returning ? `v${Math.floor(r() * visitors)}` : `v${visitors++}`;
      // Sessions end before local midnight, as the writer would cut them.
      const start = dayStart + Math.floor(r() * (dayEnd - dayStart - 600_000));
      if (start >= now) continue;
      const length = 2 + Math.floor(r() * 7);
      const raw = {
        device_class: pick(['desktop', 'mobile', 'tablet'] as const),
        region_id: pick(['reg_de', 'reg_fr', 'reg_nl', 'reg_it']),
        utm_source: pick(['google', 'newsletter', 'facebook', null, null]),
        utm_medium: pick(['cpc', 'email', 'social', null]),
        customer_group: pick(['retail', 'wholesale', null]),
        referrer: null,
      };
      const dims = sessionDimensions(raw as Partial<TrackedEvent> as TrackedEvent);
      const sessionId = newId('ses');
      const startedAt = new Date(start).toISOString();
      const session: unknown[] = [
        sessionId,
        visitor,
        null,
        startedAt,
        startedAt,
        day,
        0,
        null,
        returning ? 0 : 1,
        0,
        0,
        0,
        0,
        dims.region_id,
        dims.device_class,
        dims.utm_source,
        dims.utm_medium,
        dims.customer_group,
      ];
      let last = startedAt;
      let n = 0;
      for (let i = 0; i < length; i++) {
        const atMs = start + i * 50_000;
        if (atMs >= now) break;
        const at = new Date(atMs).toISOString();
        const name =
          i < FLOW.length && r() < 0.8 ? FLOW[i]! : pick(['page_view', 'view_item', 'search'] as const);
        const product = Math.floor(r() * 2000);
        if (i === 0) session[7] = `/p/prod_${product}`;
        const flag = FLAG[name];
        if (flag !== undefined) session[flag] = 1;
        events.push(
          newId('aev'),
          at,
          at,
          name,
          visitor,
          sessionId,
          null,
          null,
          'bench',
          `/p/prod_${product}`,
          null,
          null,
          null,
          null,
          name === 'view_item' || name === 'add_to_cart' ? items(product) : null,
          name === 'search' ? pick(['lamp', 'chair', 'desk', 'sofa', 'rug']) : null,
          name === 'search' ? pick([0, 4, 12]) : null,
          null,
          dims.region_id,
          dims.device_class,
          dims.utm_source,
          dims.utm_medium,
          dims.customer_group,
        );
        last = at;
        n++;
      }
      session[4] = last;
      session[6] = n;
      sessions.push(...session);
      instants.push(startedAt);
      if (!returning) newVisitors.push(visitor, null, startedAt, last, sessionId, startedAt, day);
      count += n;
    }
    await ensurePartitions(db, [new Date(dayStart).toISOString(), new Date(dayEnd - 1).toISOString()]);
    await db.transaction().execute(async (trx) => {
      await bulkInsert(trx, 'analytics_events', EVENT_COLUMNS, events);
      await bulkInsert(trx, 'analytics_sessions', SESSION_COLUMNS, sessions);
      await bulkInsert(trx, 'analytics_visitors', VISITOR_COLUMNS, newVisitors);
    });
    written += count;
    progress(written, index, dayList.length);
  }
  return written;
}
