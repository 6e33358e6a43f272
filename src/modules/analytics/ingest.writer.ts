import { CompiledQuery, type Insertable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { dialectOf } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { recordUsage } from '../metering/index.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import type { AnalyticsSessionTable, AnalyticsVisitorTable } from './analytics.tables.js';
import { sessionDimensions } from './dimensions.js';
import { markDirty } from './dirty-hours.js';
import type { TrackedEvent } from './event-model.js';
import { linkVisitorToCustomer } from './identity.js';
import { ensurePartitions } from './partitions.js';
import { hourStart, iso, localDate } from './time-zone.js';

export interface BufferedEvent extends TrackedEvent {
  channel_id: string;
  received_at: string;
}

type Session = Insertable<AnalyticsSessionTable>;
type Visitor = Insertable<AnalyticsVisitorTable>;

const CHUNK = 100;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const FLAG_OF: Partial<Record<string, 'has_view_item' | 'has_add_to_cart' | 'has_begin_checkout'>> = {
  view_item: 'has_view_item',
  add_to_cart: 'has_add_to_cart',
  begin_checkout: 'has_begin_checkout',
};

/**
 * Writes one flush of events in one transaction: cookieless counts for events without consent;
 * for the rest, sessions (30 minutes of inactivity or store-local midnight end one), visitors,
 * events with their session's dimensions, product names, identity links and dirty-hour marks.
 */
export async function writeEvents(
  db: Db,
  events: BufferedEvent[],
  settings: AnalyticsSettings,
): Promise<void> {
  if (events.length === 0) return;
  const consented = events.filter((e) => e.analytics_consent);
  const cookieless = new Map<string, { bucket: string; name: string; device_class: string; count: number }>();
  for (const e of events) {
    if (e.analytics_consent) continue;
    const bucket = iso(hourStart(Date.parse(e.occurred_at)));
    const device = e.device_class ?? 'unknown';
    const key = `${bucket}|${e.name}|${device}`;
    const entry = cookieless.get(key) ?? { bucket, name: e.name, device_class: device, count: 0 };
    entry.count++;
    cookieless.set(key, entry);
  }
  await ensurePartitions(
    db,
    consented.map((e) => e.occurred_at),
  );
  await inTransaction(db, async (trx) => {
    for (const part of chunks([...cookieless.values()])) {
      await trx
        .insertInto('analytics_cookieless_counts')
        .values(part)
        .onConflict((oc) =>
          oc.columns(['bucket', 'name', 'device_class']).doUpdateSet((eb) => ({
            count: eb('analytics_cookieless_counts.count', '+', eb.ref('excluded.count')),
          })),
        )
        .execute();
    }
    if (consented.length > 0) await writeTracked(trx, consented, settings);
  });
}

async function writeTracked(trx: Trx, events: BufferedEvent[], settings: AnalyticsSettings): Promise<void> {
  events.sort((a, b) => (a.occurred_at < b.occurred_at ? -1 : a.occurred_at > b.occurred_at ? 1 : 0));
  const visitorIds = [...new Set(events.map((e) => e.visitor_id))];
  const visitors = new Map<string, Visitor>();
  for (const part of chunks(visitorIds, 500)) {
    for (const v of await trx
      .selectFrom('analytics_visitors')
      .selectAll()
      .where('visitor_id', 'in', part)
      .execute())
      visitors.set(v.visitor_id, v);
  }
  const sessionIds = [...new Set([...visitors.values()].map((v) => v.last_session_id))];
  const sessions = new Map<string, Session>();
  for (const part of chunks(sessionIds, 500)) {
    for (const s of await trx.selectFrom('analytics_sessions').selectAll().where('id', 'in', part).execute())
      sessions.set(s.id, s);
  }
  const touchedSessions = new Set<string>();
  const touchedVisitors = new Set<string>();
  const logins = new Map<string, string>();
  const dirty = new Set<string>();
  const products = new Map<string, { name: string | null; category: string | null }>();
  const params: unknown[] = [];
  /** Sessions this flush started, per UTC day: the `sessions` meter (cost per 1,000 sessions). */
  const started = new Map<string, number>();

  for (const e of events) {
    const at = Date.parse(e.occurred_at);
    const date = localDate(at, settings.timeZone);
    let visitor = visitors.get(e.visitor_id);
    let session = visitor ? sessions.get(visitor.last_session_id) : undefined;
    const continues =
      visitor !== undefined &&
      session !== undefined &&
      date === visitor.last_local_date &&
      at - Date.parse(visitor.last_event_at) <= settings.sessionTimeoutMs &&
      e.occurred_at >= session.started_at;
    if (!continues) {
      const dims = sessionDimensions(e);
      session = {
        id: newId('ses'),
        visitor_id: e.visitor_id,
        customer_id: visitor?.customer_id ?? e.customer_id,
        started_at: e.occurred_at,
        last_event_at: e.occurred_at,
        local_date: date,
        event_count: 0,
        landing_page: e.page,
        is_first: visitor ? 0 : 1,
        has_view_item: 0,
        has_add_to_cart: 0,
        has_begin_checkout: 0,
        has_purchase: 0,
        ...dims,
      };
      sessions.set(session.id!, session);
      const day = new Date(at).toISOString().slice(0, 10);
      started.set(day, (started.get(day) ?? 0) + 1);
      // An event older than the visitor's current session gets a session of its own and leaves the
      // visitor's current session as it was.
      if (!visitor || at >= Date.parse(visitor.last_event_at)) {
        visitor = {
          visitor_id: e.visitor_id,
          customer_id: visitor?.customer_id ?? e.customer_id,
          first_seen_at: visitor?.first_seen_at ?? e.occurred_at,
          last_event_at: e.occurred_at,
          last_session_id: session.id!,
          last_session_started_at: e.occurred_at,
          last_local_date: date,
        };
        visitors.set(e.visitor_id, visitor);
      }
    }
    const s = session!;
    s.event_count = Number(s.event_count) + 1;
    if (e.occurred_at > s.last_event_at) s.last_event_at = e.occurred_at;
    const flag = FLAG_OF[e.name];
    if (flag) s[flag] = 1;
    touchedSessions.add(s.id!);
    dirty.add(e.occurred_at.slice(0, 13));
    dirty.add(s.started_at.slice(0, 13));
    const v = visitors.get(e.visitor_id)!;
    if (v.last_session_id === s.id && e.occurred_at > v.last_event_at) v.last_event_at = e.occurred_at;
    touchedVisitors.add(e.visitor_id);
    if (e.customer_id && v.customer_id !== e.customer_id) logins.set(e.visitor_id, e.customer_id);
    if (e.items) {
      for (const item of e.items) {
        if (item.item_name || item.item_category)
          products.set(item.item_id, { name: item.item_name ?? null, category: item.item_category ?? null });
      }
    }
    // The event's parameters, in EVENT_COLUMNS order, straight into one flat array: no per-event
    // row array, and no copy into statement parameters later.
    params.push(
      newId('aev'),
      e.occurred_at,
      e.received_at,
      e.name,
      e.visitor_id,
      s.id!,
      e.client_session_id ?? null,
      e.customer_id ?? v.customer_id ?? null,
      e.channel_id,
      e.page ?? null,
      e.referrer ?? null,
      e.utm_campaign ?? null,
      e.currency_code ?? null,
      e.value ?? null,
      e.items ? JSON.stringify(e.items) : null,
      e.search_term ?? null,
      e.search_results ?? null,
      null,
      s.region_id,
      s.device_class,
      s.utm_source,
      s.utm_medium,
      s.customer_group,
    );
  }

  await insertEvents(trx, params);
  const sessionRows = [...touchedSessions].map((id) => sessions.get(id)!);
  for (const part of chunks(sessionRows)) {
    await trx
      .insertInto('analytics_sessions')
      .values(part)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          last_event_at: eb.ref('excluded.last_event_at'),
          event_count: eb.ref('excluded.event_count'),
          customer_id: eb.ref('excluded.customer_id'),
          has_view_item: eb.ref('excluded.has_view_item'),
          has_add_to_cart: eb.ref('excluded.has_add_to_cart'),
          has_begin_checkout: eb.ref('excluded.has_begin_checkout'),
        })),
      )
      .execute();
  }
  const visitorRows = [...touchedVisitors].map((id) => visitors.get(id)!);
  for (const part of chunks(visitorRows)) {
    await trx
      .insertInto('analytics_visitors')
      .values(part)
      .onConflict((oc) =>
        oc.column('visitor_id').doUpdateSet((eb) => ({
          last_event_at: eb.ref('excluded.last_event_at'),
          last_session_id: eb.ref('excluded.last_session_id'),
          last_session_started_at: eb.ref('excluded.last_session_started_at'),
          last_local_date: eb.ref('excluded.last_local_date'),
        })),
      )
      .execute();
  }
  if (products.size > 0) {
    const at = new Date().toISOString();
    const productRows = [...products].map(([product_id, p]) => ({ product_id, ...p, updated_at: at }));
    for (const part of chunks(productRows)) {
      await trx
        .insertInto('analytics_products')
        .values(part)
        .onConflict((oc) =>
          oc.column('product_id').doUpdateSet((eb) => ({
            name: eb.fn.coalesce('excluded.name', 'analytics_products.name'),
            category: eb.fn.coalesce('excluded.category', 'analytics_products.category'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }
  for (const [visitorId, customerId] of logins) await linkVisitorToCustomer(trx, visitorId, customerId);
  // One upsert per day per flush, in the flush's transaction: counted exactly when the sessions exist.
  for (const [day, count] of started)
    await recordUsage(trx, 'sessions', count, { at: new Date(`${day}T00:00:00.000Z`) });
  await markDirty(
    trx,
    [...dirty].map((hour) => `${hour}:00:00.000Z`),
  );
}

/** The stored event's columns, in the writer's parameter order. */
export const EVENT_COLUMNS = [
  'id',
  'occurred_at',
  'received_at',
  'name',
  'visitor_id',
  'session_id',
  'client_session_id',
  'customer_id',
  'channel_id',
  'page',
  'referrer',
  'utm_campaign',
  'currency_code',
  'value',
  'items',
  'search_term',
  'search_results',
  'order_id',
  'region_id',
  'device_class',
  'utm_source',
  'utm_medium',
  'customer_group',
] as const;
const EVENT_CHUNK = 100;
const insertSql = new Map<number, string>();

/** The SQLite INSERT text for `rows` events, built once per size so prepared statements are reused. */
function eventInsertSql(rows: number): string {
  let text = insertSql.get(rows);
  if (!text) {
    const tuple = `(${EVENT_COLUMNS.map(() => '?').join(',')})`;
    text = `insert into analytics_events (${EVENT_COLUMNS.join(',')}) values ${Array.from({ length: rows }, () => tuple).join(',')}`;
    insertSql.set(rows, text);
  }
  return text;
}

/**
 * The hot path of ingestion, with no query building per flush. PostgreSQL: one INSERT … SELECT FROM
 * unnest(column arrays). SQLite: pre-built multi-row INSERTs of 100 rows; the driver is synchronous, so
 * the flush yields to the event loop between chunks and requests keep being answered meanwhile.
 */
async function insertEvents(trx: Trx, params: unknown[]): Promise<void> {
  const width = EVENT_COLUMNS.length;
  const rows = params.length / width;
  if (dialectOf(trx) === 'postgres') {
    // One statement per flush: a column array each, expanded by unnest on the server.
    const columns = EVENT_COLUMNS.map((_, c) => {
      const column = new Array<unknown>(rows);
      for (let r = 0; r < rows; r++) column[r] = params[r * width + c];
      return column;
    });
    await trx.executeQuery(CompiledQuery.raw(PG_UNNEST_INSERT, columns));
    return;
  }
  for (let i = 0; i < rows; i += EVENT_CHUNK) {
    const count = Math.min(EVENT_CHUNK, rows - i);
    const part = rows <= EVENT_CHUNK ? params : params.slice(i * width, (i + count) * width);
    await trx.executeQuery(CompiledQuery.raw(eventInsertSql(count), part));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const PG_TYPES: Partial<Record<(typeof EVENT_COLUMNS)[number], string>> = {
  value: 'bigint',
  search_results: 'integer',
};
const PG_UNNEST_INSERT = `insert into analytics_events (${EVENT_COLUMNS.join(',')}) select * from unnest(${EVENT_COLUMNS.map(
  (column, i) => `$${i + 1}::${PG_TYPES[column] ?? 'text'}[]`,
).join(',')})`;
