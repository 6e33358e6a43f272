import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { now } from '../../platform/db/time.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';

export function dayOf(at: Date | string = new Date()): string {
  return (typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
}

/** Adds `amount` to a meter's day total, creating the row on first use (one upsert). */
export async function addUsage(db: DbOrTrx, day: string, meter: string, dimension: string, amount: number) {
  await db
    .insertInto('usage_daily')
    .values({ day, meter, dimension, value: amount, updated_at: now() })
    .onConflict((oc) =>
      oc.columns(['day', 'meter', 'dimension']).doUpdateSet((eb) => ({
        value: eb('usage_daily.value', '+', eb.ref('excluded.value')),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Sets a level meter (bytes on disk, events stored) for the day. */
export async function setUsage(db: DbOrTrx, day: string, meter: string, dimension: string, value: number) {
  await db
    .insertInto('usage_daily')
    .values({ day, meter, dimension, value, updated_at: now() })
    .onConflict((oc) =>
      oc.columns(['day', 'meter', 'dimension']).doUpdateSet((eb) => ({
        value: eb.ref('excluded.value'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/** Records that `subscriber` handled `eventId`; false when it already had (a redelivery). */
export async function claimReceipt(db: DbOrTrx, eventId: string, subscriber: string): Promise<boolean> {
  const result = await db
    .insertInto('usage_event_receipts')
    .values({ event_id: eventId, subscriber, created_at: now() })
    .onConflict((oc) => oc.columns(['event_id', 'subscriber']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export interface UsageRow {
  day: string;
  meter: string;
  dimension: string;
  value: number;
}

export async function usageBetween(db: Db, from: string, to: string): Promise<UsageRow[]> {
  const rows = await db
    .selectFrom('usage_daily')
    .select(['day', 'meter', 'dimension', 'value'])
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('day')
    .orderBy('meter')
    .orderBy('dimension')
    .execute();
  return rows.map((r) => ({ ...r, value: Number(r.value) }));
}

/** All-time totals of the given meters, by meter and dimension (for the business counters). */
export async function usageTotals(db: Db, meters: string[]): Promise<UsageRow[]> {
  const rows = await db
    .selectFrom('usage_daily')
    .select(['meter', 'dimension', sql<number>`sum(value)`.as('value')])
    .where('meter', 'in', meters)
    .groupBy(['meter', 'dimension'])
    .execute();
  return rows.map((r) => ({ day: '', meter: r.meter, dimension: r.dimension, value: Number(r.value) }));
}

/** Bytes the database takes on disk. */
export async function databaseBytes(db: Db, dialect: 'sqlite' | 'postgres'): Promise<number> {
  if (dialect === 'postgres') {
    const { rows } = await sql<{
      bytes: number;
    }>`select pg_database_size(current_database()) as bytes`.execute(db);
    return Number(rows[0]?.bytes ?? 0);
  }
  const { rows } = await sql<{
    bytes: number;
  }>`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}

export async function eventsCreatedOn(db: Db, day: string): Promise<number> {
  const row = await db
    .selectFrom('outbox_events')
    .select(sql<number>`count(*)`.as('n'))
    .where('created_at', '>=', `${day}T00:00:00.000Z`)
    .where('created_at', '<=', `${day}T23:59:59.999Z`)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
