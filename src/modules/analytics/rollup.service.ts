import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { DIMENSIONS } from './dimensions.js';
import { rollupKeyDays, rollupKeyDaysWithLater } from './distinct-keys.js';
import { computeFacts, METRICS, PRODUCT_METRICS, SEARCH_METRICS } from './facts.js';
import { ensurePartitions } from './partitions.js';
import { addDays, HOUR_MS, hourStart, iso, localDate, startOfLocalDay } from './time-zone.js';

const WATERMARK = 'hourly_watermark';
/** Set once every rolled day has its key-day rows (days rolled before those existed are backfilled). */
const KEY_DAYS = 'key_days';
/** Hours recomputed per transaction: bounds memory and lock time on a first run over months of data. */
const SPAN_HOURS = 24;
const CHUNK = 200;

export interface RollupState {
  /** Hours before this instant have been rolled up (unless dirty). */
  watermark: number | null;
  /** Dirty hour starts (ms). */
  dirty: Set<number>;
  /** Every rolled day has its distinct-key rows (distinct-keys.ts). */
  keyDays: boolean;
}

export async function readRollupState(db: Db | Trx): Promise<RollupState> {
  const [marks, dirty] = await Promise.all([
    db
      .selectFrom('analytics_rollup_state')
      .select(['name', 'value'])
      .where('name', 'in', [WATERMARK, KEY_DAYS])
      .execute(),
    db.selectFrom('analytics_dirty_hours').select('bucket').execute(),
  ]);
  const mark = marks.find((m) => m.name === WATERMARK);
  return {
    watermark: mark ? Date.parse(mark.value) : null,
    dirty: new Set(dirty.map((d) => Date.parse(d.bucket))),
    keyDays: marks.some((m) => m.name === KEY_DAYS),
  };
}

type RollupTableName =
  | 'analytics_rollup_hourly'
  | 'analytics_rollup_daily'
  | 'analytics_rollup_products_hourly'
  | 'analytics_rollup_products_daily'
  | 'analytics_rollup_searches_hourly'
  | 'analytics_rollup_searches_daily';

async function insertChunks(trx: Trx, table: RollupTableName, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    // The row shapes are checked where they are built (facts.ts); the tables share one writer.
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never[])
      .execute();
  }
}

/** Recomputes the hourly rollups of `[from, to)` (whole UTC hours) from raw data, in one transaction. */
export async function rollupHours(
  db: Db,
  from: number,
  to: number,
  settings: AnalyticsSettings,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const a = iso(from);
    const b = iso(to);
    for (const table of [
      'analytics_rollup_hourly',
      'analytics_rollup_products_hourly',
      'analytics_rollup_searches_hourly',
    ] as const)
      await trx.deleteFrom(table).where('bucket', '>=', a).where('bucket', '<', b).execute();
    const facts = await computeFacts(trx, a, b, settings.currency);
    await insertChunks(trx, 'analytics_rollup_hourly', facts.main);
    await insertChunks(trx, 'analytics_rollup_products_hourly', facts.products);
    await insertChunks(trx, 'analytics_rollup_searches_hourly', facts.searches);
  });
}

/**
 * Recomputes the daily rollups of one store-local day. When the day's bounds fall on UTC hours (any
 * whole-hour zone) it sums the hourly rollups; otherwise it computes from raw data. Its distinct-key
 * rows are recomputed too, with those of later rolled days its keys reach, except days in `rollingToo`
 * (the caller rolls them next).
 */
export async function rollupDay(
  db: Db,
  day: string,
  settings: AnalyticsSettings,
  rollingToo: ReadonlySet<string> = new Set(),
): Promise<void> {
  const start = startOfLocalDay(day, settings.timeZone);
  const end = startOfLocalDay(addDays(day, 1), settings.timeZone);
  const aligned = start % HOUR_MS === 0 && end % HOUR_MS === 0;
  await inTransaction(db, async (trx) => {
    for (const table of [
      'analytics_rollup_daily',
      'analytics_rollup_products_daily',
      'analytics_rollup_searches_daily',
      'analytics_rollup_daily_totals',
      'analytics_rollup_products_daily_totals',
      'analytics_rollup_searches_daily_totals',
    ] as const)
      await trx.deleteFrom(table).where('bucket', '=', day).execute();
    if (aligned) {
      const dims = DIMENSIONS.join(', ');
      const range = [iso(start), iso(end)];
      await sql
        .raw(
          `insert into analytics_rollup_daily (bucket, ${dims}, ${METRICS.join(', ')})
           select '${day}', ${dims}, ${METRICS.map((m) => `sum(${m})`).join(', ')}
           from analytics_rollup_hourly where bucket >= '${range[0]}' and bucket < '${range[1]}' group by ${dims}`,
        )
        .execute(trx);
      await sql
        .raw(
          `insert into analytics_rollup_products_daily (bucket, product_id, ${dims}, ${PRODUCT_METRICS.join(', ')})
           select '${day}', product_id, ${dims}, ${PRODUCT_METRICS.map((m) => `sum(${m})`).join(', ')}
           from analytics_rollup_products_hourly where bucket >= '${range[0]}' and bucket < '${range[1]}'
           group by product_id, ${dims}`,
        )
        .execute(trx);
      await sql
        .raw(
          `insert into analytics_rollup_searches_daily (bucket, term, ${dims}, ${SEARCH_METRICS.join(', ')})
           select '${day}', term, ${dims}, ${SEARCH_METRICS.map((m) => `sum(${m})`).join(', ')}
           from analytics_rollup_searches_hourly where bucket >= '${range[0]}' and bucket < '${range[1]}'
           group by term, ${dims}`,
        )
        .execute(trx);
    } else {
      const facts = await computeFacts(trx, iso(start), iso(end), settings.currency);
      const sum = <T extends Record<string, unknown>>(
        rows: T[],
        key: (r: T) => string,
        metrics: readonly string[],
      ) => {
        const out = new Map<string, Record<string, unknown>>();
        for (const r of rows) {
          const k = key(r);
          const acc = out.get(k) ?? { ...r, bucket: day };
          if (out.has(k)) for (const m of metrics) acc[m] = Number(acc[m]) + Number(r[m]);
          out.set(k, acc);
        }
        return [...out.values()];
      };
      const dimKey = (r: Record<string, unknown>) => DIMENSIONS.map((d) => r[d]).join('\u0001');
      await insertChunks(trx, 'analytics_rollup_daily', sum(facts.main as never[], dimKey, METRICS));
      await insertChunks(
        trx,
        'analytics_rollup_products_daily',
        sum(
          facts.products as never[],
          (r: Record<string, unknown>) => `${r.product_id}\u0001${dimKey(r)}`,
          PRODUCT_METRICS,
        ),
      );
      await insertChunks(
        trx,
        'analytics_rollup_searches_daily',
        sum(
          facts.searches as never[],
          (r: Record<string, unknown>) => `${r.term}\u0001${dimKey(r)}`,
          SEARCH_METRICS,
        ),
      );
    }
    const q = `'${day}'`;
    await sql
      .raw(
        `insert into analytics_rollup_daily_totals (bucket, ${METRICS.join(', ')})
         select bucket, ${METRICS.map((m) => `sum(${m})`).join(', ')} from analytics_rollup_daily
         where bucket = ${q} group by bucket`,
      )
      .execute(trx);
    await sql
      .raw(
        `insert into analytics_rollup_products_daily_totals (bucket, product_id, ${PRODUCT_METRICS.join(', ')})
         select bucket, product_id, ${PRODUCT_METRICS.map((m) => `sum(${m})`).join(', ')}
         from analytics_rollup_products_daily where bucket = ${q} group by bucket, product_id`,
      )
      .execute(trx);
    await sql
      .raw(
        `insert into analytics_rollup_searches_daily_totals (bucket, term, ${SEARCH_METRICS.join(', ')})
         select bucket, term, ${SEARCH_METRICS.map((m) => `sum(${m})`).join(', ')}
         from analytics_rollup_searches_daily where bucket = ${q} group by bucket, term`,
      )
      .execute(trx);
    await rollupKeyDaysWithLater(trx, day, settings, rollingToo);
    await trx
      .insertInto('analytics_rolled_days')
      .values({ day, computed_at: now() })
      .onConflict((oc) => oc.column('day').doUpdateSet({ computed_at: now() }))
      .execute();
  });
}

async function earliestData(db: Db): Promise<number | null> {
  const [s, e, o, c, r] = await Promise.all([
    db
      .selectFrom('analytics_sessions')
      .select((eb) => eb.fn.min('started_at').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('analytics_events')
      .select((eb) => eb.fn.min('occurred_at').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('analytics_orders')
      .select((eb) => eb.fn.min('placed_at').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('analytics_carts')
      .select((eb) => eb.fn.min('created_at').as('at'))
      .executeTakeFirst(),
    db
      .selectFrom('analytics_refunds')
      .select((eb) => eb.fn.min('refunded_at').as('at'))
      .executeTakeFirst(),
  ]);
  const all = [s, e, o, c, r].map((x) => x?.at as string | null | undefined).filter((x): x is string => !!x);
  return all.length ? hourStart(Math.min(...all.map((x) => Date.parse(x)))) : null;
}

export interface RollupRun {
  hours: number;
  days: number;
  watermark: string;
}

/**
 * One incremental run: rolls every closed hour since the watermark and every dirty closed hour, then
 * the store-local days those hours touch once all their hours are closed. Idempotent: each unit is
 * recomputed from raw data (delete and insert in one transaction), so running it again changes nothing.
 */
export async function runRollup(db: Db, settings: AnalyticsSettings, nowMs = Date.now()): Promise<RollupRun> {
  const closed = hourStart(nowMs);
  const state = await db
    .selectFrom('analytics_rollup_state')
    .select('value')
    .where('name', '=', WATERMARK)
    .executeTakeFirst();
  const dirtyRows = await db
    .selectFrom('analytics_dirty_hours')
    .selectAll()
    .where('bucket', '<', iso(closed))
    .execute();
  const start = state ? Date.parse(state.value) : ((await earliestData(db)) ?? closed);
  const hours = new Set<number>();
  for (let h = start; h < closed; h += HOUR_MS) hours.add(h);
  for (const d of dirtyRows) hours.add(Date.parse(d.bucket));
  const sorted = [...hours].sort((a, b) => a - b);
  const days = new Set<string>();
  for (const h of sorted) {
    days.add(localDate(h, settings.timeZone));
    days.add(localDate(h + HOUR_MS - 1, settings.timeZone));
  }
  // The days these hours touch stop counting as rolled before anything changes, so a run that stops
  // midway (its marks already cleared) leaves reports reading those days from the hourly rows, which
  // are exact, never from a stale daily row.
  if (days.size > 0)
    await db
      .deleteFrom('analytics_rolled_days')
      .where('day', 'in', [...days])
      .execute();
  // Contiguous runs of hours, at most SPAN_HOURS each, are recomputed in one transaction.
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + HOUR_MS && j + 1 - i < SPAN_HOURS) j++;
    await rollupHours(db, sorted[i]!, sorted[j]! + HOUR_MS, settings);
    i = j + 1;
  }
  await clearMarks(db, dirtyRows);
  await db
    .insertInto('analytics_rollup_state')
    .values({ name: WATERMARK, value: iso(closed) })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: iso(closed) }))
    .execute();

  const remaining = await db.selectFrom('analytics_dirty_hours').select('bucket').execute();
  const stillDirty = remaining.map((r) => Date.parse(r.bucket));
  await backfillKeyDays(db, settings);
  let rolledDays = 0;
  for (const day of [...days].sort()) {
    const end = startOfLocalDay(addDays(day, 1), settings.timeZone);
    const begin = startOfLocalDay(day, settings.timeZone);
    if (end > closed || stillDirty.some((h) => h + HOUR_MS > begin && h < end)) {
      await db.deleteFrom('analytics_rolled_days').where('day', '=', day).execute();
      continue;
    }
    await rollupDay(db, day, settings, days);
    rolledDays++;
  }
  // Keep a partition ready for this month and the next, so ingestion rarely creates one inline.
  await ensurePartitions(db, [iso(nowMs), iso(nowMs + 31 * 24 * HOUR_MS)]);
  return { hours: sorted.length, days: rolledDays, watermark: iso(closed) };
}

/**
 * Clears the marks this run read, unless renewed meanwhile: one transaction, one statement per mark
 * time and 500 hours (a writer's flush stamps all its marks with one time), not one per hour.
 */
async function clearMarks(db: Db, marks: { bucket: string; marked_at: string }[]): Promise<void> {
  const byTime = new Map<string, string[]>();
  for (const m of marks) {
    const list = byTime.get(m.marked_at);
    if (list) list.push(m.bucket);
    else byTime.set(m.marked_at, [m.bucket]);
  }
  await inTransaction(db, async (trx) => {
    for (const [markedAt, buckets] of byTime)
      for (let i = 0; i < buckets.length; i += 500)
        await trx
          .deleteFrom('analytics_dirty_hours')
          .where('bucket', 'in', buckets.slice(i, i + 500))
          .where('marked_at', '<=', markedAt)
          .execute();
  });
}

/** Days rolled before distinct-key rows existed get them once; reports count raw until then. */
async function backfillKeyDays(db: Db, settings: AnalyticsSettings): Promise<void> {
  const done = await db
    .selectFrom('analytics_rollup_state')
    .select('value')
    .where('name', '=', KEY_DAYS)
    .executeTakeFirst();
  if (done) return;
  const rolled = await db.selectFrom('analytics_rolled_days').select('day').orderBy('day').execute();
  for (const { day } of rolled) await inTransaction(db, (trx) => rollupKeyDays(trx, day, settings));
  await db
    .insertInto('analytics_rollup_state')
    .values({ name: KEY_DAYS, value: now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}
