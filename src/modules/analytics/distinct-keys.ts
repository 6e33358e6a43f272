import { type RawBuilder, sql } from 'kysely';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { addDays, iso, localDate, startOfLocalDay } from './time-zone.js';

/**
 * Distinct counts over a report range without reading every session or order in it: users (distinct
 * visitors with a session started in the range) and buyers (distinct customers with an order placed
 * in it). They are not additive, so instead of a count per day the rollup job keeps, per store-local
 * day, how many keys appeared that day *by the last earlier day each one appeared* (`prev_day`). The
 * distinct keys of a block of days D1…D2 are exactly the key-days in it whose `prev_day` is before D1:
 * each key is counted on its first day in the block. A range is a block of rolled days plus edges
 * (the open day, partial days); edge keys are added when they have no occurrence inside the block.
 * The rows of a day depend on earlier days, so rolling a day also recomputes the days where its keys
 * appear next (late data). Filtered and broken-down reports count distinct keys from raw rows.
 */
export type KeyKind = 'visitor' | 'buyer';
const KINDS: readonly KeyKind[] = ['visitor', 'buyer'];

interface KeySource {
  table: RawBuilder<unknown>;
  key: RawBuilder<unknown>;
  at: RawBuilder<unknown>;
  /** Extra conditions on `s` and on `t`, the outer and the correlated row. */
  where: (alias: 's' | 't') => RawBuilder<unknown>;
}

function source(kind: KeyKind, currency: string): KeySource {
  if (kind === 'visitor')
    return {
      table: sql.raw('analytics_sessions'),
      key: sql.raw('visitor_id'),
      at: sql.raw('started_at'),
      where: () => sql``,
    };
  return {
    table: sql.raw('analytics_orders'),
    key: sql.raw('buyer_key'),
    at: sql.raw('placed_at'),
    where: (alias) =>
      sql` and ${sql.raw(alias)}.currency_code = ${currency} and ${sql.raw(alias)}.buyer_key is not null`,
  };
}

/**
 * Recomputes one day's key-day rows from raw data. Returns the later days where the day's keys appear
 * next: their rows may count one of these keys against an older previous day.
 */
export async function rollupKeyDays(
  trx: DbOrTrx,
  day: string,
  settings: AnalyticsSettings,
): Promise<Set<string>> {
  const tz = settings.timeZone;
  const a = iso(startOfLocalDay(day, tz));
  const b = iso(startOfLocalDay(addDays(day, 1), tz));
  await trx.deleteFrom('analytics_rollup_key_days').where('bucket', '=', day).execute();
  const later = new Set<string>();
  for (const kind of KINDS) {
    const s = source(kind, settings.currency);
    const { rows } = await sql<{ prev: string | null; next: string | null }>`
      select (select max(t.${s.at}) from ${s.table} t
              where t.${s.key} = s.${s.key} and t.${s.at} < ${a}${s.where('t')}) as prev,
             (select min(t.${s.at}) from ${s.table} t
              where t.${s.key} = s.${s.key} and t.${s.at} >= ${b}${s.where('t')}) as next
      from ${s.table} s where s.${s.at} >= ${a} and s.${s.at} < ${b}${s.where('s')}
      group by s.${s.key}`.execute(trx);
    const counts = new Map<string, number>();
    for (const r of rows) {
      const prev = r.prev ? localDate(Date.parse(r.prev), tz) : '';
      counts.set(prev, (counts.get(prev) ?? 0) + 1);
      if (r.next) later.add(localDate(Date.parse(r.next), tz));
    }
    const values = [...counts].map(([prev_day, keys]) => ({ kind, bucket: day, prev_day, keys }));
    for (let i = 0; i < values.length; i += 500)
      await trx
        .insertInto('analytics_rollup_key_days')
        .values(values.slice(i, i + 500))
        .execute();
  }
  return later;
}

/** Rolls a day's key-day rows, then those of the already rolled later days its keys reach (not in `skip`). */
export async function rollupKeyDaysWithLater(
  trx: Trx,
  day: string,
  settings: AnalyticsSettings,
  skip: ReadonlySet<string>,
): Promise<void> {
  const later = [...(await rollupKeyDays(trx, day, settings))].filter((d) => !skip.has(d) && d !== day);
  for (let i = 0; i < later.length; i += 500) {
    const rolled = await trx
      .selectFrom('analytics_rolled_days')
      .select('day')
      .where('day', 'in', later.slice(i, i + 500))
      .execute();
    for (const r of rolled) await rollupKeyDays(trx, r.day, settings);
  }
}

/** `days` sorted and consecutive, or null. */
function block(days: readonly string[]): [string, string] | null {
  if (days.length === 0) return null;
  const sorted = [...days].sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== addDays(sorted[i - 1]!, 1)) return null;
  return [sorted[0]!, sorted[sorted.length - 1]!];
}

/**
 * Distinct keys of `[from, to)` from the key-day rows of `days` (rolled, clean store-local days inside
 * the range) plus the edges read raw; null when `days` is not one consecutive block (the caller then
 * counts raw rows).
 */
export async function countDistinctKeys(
  db: DbOrTrx,
  kind: KeyKind,
  from: number,
  to: number,
  days: readonly string[],
  settings: AnalyticsSettings,
): Promise<number | null> {
  const span = block(days);
  if (!span) return null;
  const [first, last] = span;
  const a = startOfLocalDay(first, settings.timeZone);
  const b = startOfLocalDay(addDays(last, 1), settings.timeZone);
  const inBlock = db
    .selectFrom('analytics_rollup_key_days')
    .select((eb) => eb.fn.sum<number>('keys').as('n'))
    .where('kind', '=', kind)
    .where('bucket', '>=', first)
    .where('bucket', '<=', last)
    .where('prev_day', '<', first)
    .executeTakeFirst();
  const edges = [
    [from, a],
    [b, to],
  ].filter(([x, y]) => x! < y!);
  const s = source(kind, settings.currency);
  const inEdges = sql.join(
    edges.map(([x, y]) => sql`(s.${s.at} >= ${iso(x!)} and s.${s.at} < ${iso(y!)})`),
    sql` or `,
  );
  // Edge keys with no occurrence in the block: one index probe each (an anti join on PostgreSQL).
  const outside =
    edges.length === 0
      ? Promise.resolve(0)
      : sql<{ n: number }>`
      select count(distinct s.${s.key}) as n from ${s.table} s
      where (${inEdges})${s.where('s')}
        and not exists (select 1 from ${s.table} t where t.${s.key} = s.${s.key}
                        and t.${s.at} >= ${iso(a)} and t.${s.at} < ${iso(b)}${s.where('t')})`
          .execute(db)
          .then(({ rows }) => Number(rows[0]?.n ?? 0));
  const [blockRow, rest] = await Promise.all([inBlock, outside]);
  return Number(blockRow?.n ?? 0) + rest;
}

/** Buyers whose first order (store currency) is in `[from, to)` and who had no second one before `to`. */
export async function countOneTimeBuyers(
  db: DbOrTrx,
  from: number,
  to: number,
  currency: string,
): Promise<number> {
  const row = await db
    .selectFrom('analytics_buyers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('currency_code', '=', currency)
    .where('first_at', '>=', iso(from))
    .where('first_at', '<', iso(to))
    .where((eb) => eb.or([eb('second_at', 'is', null), eb('second_at', '>=', iso(to))]))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Keeps a buyer's first and second order times as an order is recorded, in any arrival order; one
 * upsert, so concurrent orders of one buyer serialise on its row.
 */
export async function recordBuyerOrder(
  trx: Trx,
  currency: string,
  buyerKey: string,
  placedAt: string,
): Promise<void> {
  await trx
    .insertInto('analytics_buyers')
    .values({ currency_code: currency, buyer_key: buyerKey, first_at: placedAt, second_at: null })
    .onConflict((oc) =>
      oc.columns(['currency_code', 'buyer_key']).doUpdateSet({
        first_at: sql`case when excluded.first_at < analytics_buyers.first_at then excluded.first_at
                      else analytics_buyers.first_at end`,
        second_at: sql`case when excluded.first_at < analytics_buyers.first_at then analytics_buyers.first_at
                       when analytics_buyers.second_at is null or excluded.first_at < analytics_buyers.second_at
                       then excluded.first_at else analytics_buyers.second_at end`,
      }),
    )
    .execute();
}

/** Rebuilds every buyer's first and second order from `analytics_orders` (bulk loads, repair). */
export async function rebuildBuyers(db: DbOrTrx): Promise<void> {
  await db.deleteFrom('analytics_buyers').execute();
  await sql`
    insert into analytics_buyers (currency_code, buyer_key, first_at, second_at)
    select o.currency_code, o.buyer_key, min(o.placed_at),
           (select o2.placed_at from analytics_orders o2
            where o2.buyer_key = o.buyer_key and o2.currency_code = o.currency_code
            order by o2.placed_at limit 1 offset 1)
    from analytics_orders o where o.buyer_key is not null
    group by o.currency_code, o.buyer_key`.execute(db);
}
