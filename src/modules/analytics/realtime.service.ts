import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';

/** The last 30 minutes, straight from raw data: who is on the site, what they look at, carts and orders. */
export async function realtime(db: Db, settings: AnalyticsSettings, nowMs = Date.now()) {
  const since = new Date(nowMs - 30 * 60_000).toISOString();
  const [visitors, pages, perMinute, carts, orders] = await Promise.all([
    db
      .selectFrom('analytics_events')
      .select((eb) => [
        eb.fn.count<number>('visitor_id').distinct().as('visitors'),
        eb.fn.count<number>('session_id').distinct().as('sessions'),
        eb.fn.countAll<number>().as('events'),
      ])
      .where('occurred_at', '>=', since)
      .where('channel_id', '!=', 'server')
      .executeTakeFirst(),
    db
      .selectFrom('analytics_events')
      .select((eb) => ['page', eb.fn.countAll<number>().as('views')])
      .where('occurred_at', '>=', since)
      .where('name', '=', 'page_view')
      .groupBy('page')
      .orderBy('views', 'desc')
      .orderBy('page')
      .limit(10)
      .execute(),
    db
      .selectFrom('analytics_events')
      .select((eb) => [
        eb.fn<string>('substr', ['occurred_at', eb.val(1), eb.val(16)]).as('minute'),
        eb.fn.countAll<number>().as('events'),
      ])
      .where('occurred_at', '>=', since)
      .groupBy('minute')
      .orderBy('minute')
      .execute(),
    db
      .selectFrom('analytics_carts')
      .select((eb) => [
        eb.fn.countAll<number>().as('created'),
        eb.fn.count<number>('completed_at').as('completed'),
      ])
      .where('created_at', '>=', since)
      .executeTakeFirst(),
    db
      .selectFrom('analytics_orders')
      .select((eb) => [eb.fn.countAll<number>().as('orders'), eb.fn.sum<number>('total').as('revenue')])
      .where('placed_at', '>=', since)
      .where('currency_code', '=', settings.currency)
      .executeTakeFirst(),
  ]);
  return {
    since,
    active_visitors: Number(visitors?.visitors ?? 0),
    active_sessions: Number(visitors?.sessions ?? 0),
    events: Number(visitors?.events ?? 0),
    carts_created: Number(carts?.created ?? 0),
    carts_completed: Number(carts?.completed ?? 0),
    orders: Number(orders?.orders ?? 0),
    revenue: Number(orders?.revenue ?? 0),
    currency_code: settings.currency,
    top_pages: pages.map((p) => ({ page: p.page ?? '', views: Number(p.views) })),
    events_per_minute: perMinute.map((m) => ({ minute: `${m.minute}:00.000Z`, events: Number(m.events) })),
  };
}
