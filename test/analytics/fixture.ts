// The hand-computed fixture: store zone America/New_York (EST, UTC-5 in January). Day D is local
// 2026-01-10; D-1 is the comparison period. Expected figures are worked out by hand in kpi-fixture.test.ts.

import type { AnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import type { TrackedEvent } from '../../src/modules/analytics/event-model.js';
import { writeEvents } from '../../src/modules/analytics/ingest.writer.js';
import type { Db } from '../../src/platform/db/database.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { OutboxDispatcher } from '../../src/platform/events/dispatcher.js';
import { emit } from '../../src/platform/events/outbox.js';
import { subscribers } from '../../src/platform/events/subscribers.js';
import { createLogger } from '../../src/platform/logging/logger.js';

export const ZONE = 'America/New_York';

/** Local EST wall time `YYYY-MM-DD HH:MM` to an ISO UTC instant. */
export function est(local: string): string {
  const [date, time] = local.split(' ');
  return new Date(Date.parse(`${date}T${time}:00.000Z`) + 5 * 3_600_000).toISOString();
}

interface Visitor {
  id: string;
  device: string;
  region: string;
  utm_source?: string;
  utm_medium?: string;
  referrer?: string;
  group?: string;
}

const V1: Visitor = {
  id: 'v1',
  device: 'desktop',
  region: 'reg_us',
  utm_source: 'google',
  utm_medium: 'cpc',
  group: 'vip',
};
const V2: Visitor = { id: 'v2', device: 'mobile', region: 'reg_eu' };
const V3: Visitor = { id: 'v3', device: 'desktop', region: 'reg_us', referrer: 'https://news.example.com/a' };
const V4: Visitor = {
  id: 'v4',
  device: 'tablet',
  region: 'reg_us',
  utm_source: 'newsletter',
  utm_medium: 'email',
  group: 'vip',
};
const V5: Visitor = { id: 'v5', device: 'desktop', region: 'reg_eu' };
const V6: Visitor = { id: 'v6', device: 'mobile', region: 'reg_us' };
const V7: Visitor = { id: 'v7', device: 'desktop', region: 'reg_us' };
const V8: Visitor = { id: 'v8', device: 'desktop', region: 'reg_us' };

const P1 = { item_id: 'prod_1', item_name: 'Bookcase', item_category: 'Furniture', price: 2500, quantity: 1 };
const P2 = { item_id: 'prod_2', item_name: 'Chair', item_category: 'Furniture', price: 3000, quantity: 1 };
const P3 = { item_id: 'prod_3', item_name: 'Lamp', item_category: 'Lighting', price: 2000, quantity: 1 };

function ev(
  v: Visitor,
  local: string,
  name: TrackedEvent['name'],
  extra: Partial<TrackedEvent> = {},
): TrackedEvent & { channel_id: string; received_at: string } {
  return {
    name,
    occurred_at: est(local),
    visitor_id: v.id,
    client_session_id: null,
    customer_id: null,
    customer_group: v.group ?? null,
    page: '/',
    referrer: v.referrer ?? null,
    utm_source: v.utm_source ?? null,
    utm_medium: v.utm_medium ?? null,
    utm_campaign: null,
    device_class: v.device,
    region_id: v.region,
    currency_code: null,
    value: null,
    items: null,
    search_term: null,
    search_results: null,
    analytics_consent: true,
    channel_id: 'default',
    received_at: est(local),
    ...extra,
  };
}

export const D = '2026-01-10';
const Dm1 = '2026-01-09';
const Dp1 = '2026-01-11';

export function fixtureEvents() {
  return [
    // D-1: V4's first session S0.
    ev(V4, `${Dm1} 15:00`, 'page_view'),
    ev(V4, `${Dm1} 15:02`, 'view_item', { items: [P1] }),
    // S1 (V1): the full funnel, then order O1.
    ev(V1, `${D} 09:00`, 'page_view'),
    ev(V1, `${D} 09:01`, 'view_item', { items: [P1] }),
    ev(V1, `${D} 09:02`, 'add_to_cart', { items: [P1] }),
    ev(V1, `${D} 09:05`, 'begin_checkout', { items: [P1] }),
    // S2 (V2) views two products; S3 starts after 58 idle minutes and adds P2 to a cart it abandons.
    ev(V2, `${D} 10:00`, 'page_view'),
    ev(V2, `${D} 10:01`, 'view_item', { items: [P1] }),
    ev(V2, `${D} 10:02`, 'view_item', { items: [P2] }),
    ev(V2, `${D} 11:00`, 'view_item', { items: [P2] }),
    ev(V2, `${D} 11:05`, 'add_to_cart', { items: [P2] }),
    // S4 (V3) crosses local midnight: the add_to_cart at 00:05 opens S5 on D+1.
    ev(V3, `${D} 23:50`, 'page_view'),
    ev(V3, `${D} 23:55`, 'view_item', { items: [P3] }),
    ev(V3, `${Dp1} 00:05`, 'add_to_cart', { items: [P3] }),
    // S6 (V4, returning) reaches checkout and leaves.
    ev(V4, `${D} 14:00`, 'view_item', { items: [P1] }),
    ev(V4, `${D} 14:02`, 'add_to_cart', { items: [P1] }),
    ev(V4, `${D} 14:03`, 'begin_checkout', { items: [P1] }),
    // S7 (V5): two searches (one with no results), the funnel, order O2 (partly refunded).
    ev(V5, `${D} 16:00`, 'search', { search_term: 'lamp', search_results: 0 }),
    ev(V5, `${D} 16:01`, 'search', { search_term: 'chair', search_results: 5 }),
    ev(V5, `${D} 16:02`, 'view_item', { items: [P2] }),
    ev(V5, `${D} 16:05`, 'add_to_cart', { items: [P2] }),
    ev(V5, `${D} 16:10`, 'begin_checkout', { items: [P2] }),
    // V6 gave no analytics consent: a cookieless count only.
    ev(V6, `${D} 12:00`, 'page_view', { analytics_consent: false }),
    // S8 (V7) logs in as C1; order O3 arrives later with the customer only.
    ev(V7, `${D} 20:00`, 'page_view'),
    ev(V7, `${D} 20:01`, 'login', { customer_id: 'cus_1' }),
    // S9 (V8) spans UTC midnight (23:50Z -> 00:10Z) inside one local day: one session.
    ev(V8, `${D} 18:50`, 'page_view'),
    ev(V8, `${D} 19:10`, 'view_item', { items: [P3] }),
  ];
}

function order(
  id: string,
  local: string,
  total: number,
  items: { product_id: string; quantity: number; unit_price: number }[],
  extra: Record<string, unknown> = {},
) {
  return {
    topic: 'order.placed',
    payload: {
      order_id: id,
      order_number: id.toUpperCase(),
      customer_id: null,
      cart_id: null,
      currency_code: 'USD',
      total,
      subtotal: total,
      discount_total: 0,
      tax_total: 0,
      shipping_total: 0,
      items: items.map((i) => ({ variant_id: null, ...i })),
      placed_at: est(local),
      region_id: null,
      ...extra,
    },
  };
}

const cart = (id: string, local: string, visitor: string | null) => ({
  topic: 'cart.created',
  payload: { cart_id: id, customer_id: null, region_id: null, created_at: est(local), visitor_id: visitor },
});
const completed = (id: string, local: string) => ({
  topic: 'cart.completed',
  payload: { cart_id: id, customer_id: null, region_id: null, completed_at: est(local) },
});

export function fixtureCommerce() {
  return [
    order('ord_0', `${Dm1} 10:00`, 4000, [{ product_id: 'prod_1', quantity: 1, unit_price: 4000 }], {
      customer_id: 'cus_9',
      region_id: 'reg_us',
    }),
    cart('cart_1', `${D} 09:02`, 'v1'),
    completed('cart_1', `${D} 09:10`),
    order('ord_1', `${D} 09:10`, 5000, [{ product_id: 'prod_1', quantity: 2, unit_price: 2500 }], {
      customer_id: 'cus_1',
      visitor_id: 'v1',
      cart_id: 'cart_1',
      region_id: 'reg_us',
    }),
    cart('cart_2', `${D} 11:05`, 'v2'),
    cart('cart_4', `${D} 14:02`, 'v4'),
    // The completion of cart_5 is delivered before its creation: no ordering between events.
    completed('cart_5', `${D} 16:20`),
    cart('cart_5', `${D} 16:05`, 'v5'),
    order('ord_2', `${D} 16:20`, 3000, [{ product_id: 'prod_2', quantity: 1, unit_price: 3000 }], {
      customer_id: 'cus_2',
      visitor_id: 'v5',
      cart_id: 'cart_5',
      region_id: 'reg_eu',
    }),
    {
      topic: 'order.refunded',
      payload: { order_id: 'ord_2', amount: 1000, currency_code: 'usd', refunded_at: est(`${D} 18:00`) },
    },
    order('ord_3', `${D} 20:30`, 2000, [{ product_id: 'prod_3', quantity: 1, unit_price: 2000 }], {
      customer_id: 'cus_1',
      region_id: 'reg_us',
    }),
    order('ord_4', `${D} 21:00`, 1500, [{ product_id: 'prod_4', quantity: 3, unit_price: 500 }], {
      region_id: 'reg_eu',
    }),
    order('ord_5', `${D} 22:00`, 9999, [{ product_id: 'prod_1', quantity: 1, unit_price: 9999 }], {
      currency_code: 'EUR',
      customer_id: 'cus_3',
    }),
    cart('cart_3', `${Dp1} 00:05`, 'v3'),
  ];
}

export const fixtureSettings: Partial<AnalyticsSettings> = { timeZone: ZONE, currency: 'usd' };

/** Loads the fixture: behaviour through the ingestion writer, commerce through the real outbox. */
export async function loadFixture(db: Db, settings: AnalyticsSettings): Promise<void> {
  await writeEvents(db, fixtureEvents(), settings);
  const dispatcher = new OutboxDispatcher({
    db,
    registry: subscribers,
    logger: createLogger('silent'),
    pollIntervalMs: 5,
    batchSize: 1,
    maxAttempts: 3,
    leaseMs: 10_000,
  });
  // One event at a time, in order, so the fixture's delivery order (cart_5 completed first) holds.
  for (const event of fixtureCommerce()) {
    await inTransaction(db, (trx) => emit(trx, event));
    while ((await dispatcher.runOnce()) > 0);
  }
}
