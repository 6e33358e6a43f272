import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import {
  recordCartCompleted,
  recordCartCreated,
  recordOrderPlaced,
  recordOrderRefunded,
} from './commerce.subscribers.js';
import type { EventItem, TrackedEvent } from './event-model.js';
import { type BufferedEvent, writeEvents } from './ingest.writer.js';
import { runRollup } from './rollup.service.js';
import { loadSuperstore, type SuperstoreOrder } from './superstore.js';
import { addDays, localDate, startOfLocalDay } from './time-zone.js';

/**
 * Demo traffic from the Superstore orders: every order becomes a session that browses, fills a cart,
 * checks out and buys (the order itself goes through the same code as `order.placed`), and around it
 * `sessionsPerOrder - 1` sessions that browse, search, abandon carts and checkouts. Dates are shifted
 * so the last order is yesterday. Deterministic for a given seed.
 */
export interface TrafficOptions {
  days: number;
  sessionsPerOrder: number;
  seed: number;
  nowMs: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(r: () => number, options: [T, number][]): T {
  let x = r() * options.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of options) {
    x -= w;
    if (x < 0) return value;
  }
  return options[options.length - 1]![0];
}

const SOURCES: [[string | null, string | null, string | null], number][] = [
  [[null, null, null], 40],
  [['google', 'cpc', null], 20],
  [['google', 'organic', null], 15],
  [['newsletter', 'email', null], 10],
  [['facebook', 'social', null], 10],
  [[null, null, 'https://www.reddit.com/r/office'], 5],
];
const DEVICES: [string, number][] = [
  ['desktop', 55],
  ['mobile', 38],
  ['tablet', 7],
];
// Shoppers visit more in the evening: a weight per local hour.
const HOURS: [number, number][] = Array.from({ length: 24 }, (_, h) => [
  h,
  h < 7 ? 1 : h < 12 ? 4 : h < 18 ? 5 : h < 23 ? 8 : 3,
]);
const ZERO_RESULT_TERMS = ['gift card', 'drone', 'standing desk treadmill', 'espresso machine'];

export interface TrafficSummary {
  orders: number;
  sessions: number;
  events: number;
  carts: number;
  refunds: number;
  from: string;
  to: string;
}

export async function seedTraffic(
  db: Db,
  settings: AnalyticsSettings,
  options: TrafficOptions,
): Promise<TrafficSummary> {
  const r = prng(options.seed);
  const all = loadSuperstore();
  const yesterday = addDays(localDate(options.nowMs, settings.timeZone), -1);
  const last = all[all.length - 1]!.date;
  const shift = Math.round((Date.parse(yesterday) - Date.parse(last)) / 86_400_000);
  const firstDay = addDays(yesterday, -(options.days - 1));
  const orders = all
    .map((o) => ({ ...o, date: addDays(o.date, shift) }))
    .filter((o) => o.date >= firstDay && o.date <= yesterday);
  const products = new Map<string, EventItem>();
  for (const o of all) for (const l of o.lines) products.set(l.product_id, toItem(l, 1));
  const catalogue = [...products.values()];
  const events: BufferedEvent[] = [];
  const commerce: { at: string; run: () => Promise<void> }[] = [];
  let sessions = 0;
  let carts = 0;
  let refunds = 0;
  let anon = 0;

  const timeOn = (day: string) =>
    startOfLocalDay(day, settings.timeZone) + weighted(r, HOURS) * 3_600_000 + Math.floor(r() * 3_600_000);

  function session(visitor: string, start: number, dims: Partial<TrackedEvent>) {
    sessions++;
    let at = start;
    const [utm_source, utm_medium, referrer] = weighted(r, SOURCES);
    const base = { ...dims, utm_source, utm_medium, referrer };
    const push = (name: TrackedEvent['name'], extra: Partial<TrackedEvent> = {}) => {
      at += 15_000 + Math.floor(r() * 120_000);
      events.push(event(visitor, at, name, { ...base, ...extra }));
      return at;
    };
    return { push, now: () => at };
  }

  function browse(s: ReturnType<typeof session>, count: number) {
    for (let i = 0; i < count; i++) {
      const item = catalogue[Math.floor(r() * catalogue.length)]!;
      s.push('view_item', { items: [item], page: `/products/${item.item_id}` });
    }
  }

  function maybeSearch(s: ReturnType<typeof session>) {
    if (r() < 0.25) {
      const zero = r() < 0.15;
      const term = zero
        ? ZERO_RESULT_TERMS[Math.floor(r() * ZERO_RESULT_TERMS.length)]!
        : catalogue[Math.floor(r() * catalogue.length)]!.item_category!.toLowerCase();
      s.push('search', {
        search_term: term,
        search_results: zero ? 0 : 3 + Math.floor(r() * 40),
        page: '/search',
      });
    }
  }

  for (const order of orders) {
    const visitor = `vis_${order.customer_id}`;
    const customer = `cus_${order.customer_id}`;
    const dims: Partial<TrackedEvent> = {
      device_class: weighted(r, DEVICES),
      region_id: `reg_${order.region.toLowerCase()}`,
      customer_group: order.segment.toLowerCase().replace(/\s+/g, '_'),
    };
    const s = session(visitor, timeOn(order.date), dims);
    s.push('page_view', { page: '/' });
    if (r() < 0.5) s.push('login', { customer_id: customer });
    maybeSearch(s);
    browse(s, Math.floor(r() * 3));
    let cartAt = '';
    for (const line of order.lines) {
      const item = toItem(line, line.quantity);
      s.push('view_item', { items: [{ ...item, quantity: 1 }], page: `/products/${line.product_id}` });
      const added = s.push('add_to_cart', { items: [item] });
      cartAt ||= new Date(added).toISOString();
    }
    s.push('view_cart', { page: '/cart' });
    s.push('begin_checkout', { page: '/checkout' });
    s.push('add_shipping_info');
    s.push('add_payment_info');
    const placedAt = new Date(s.now() + 30_000).toISOString();
    const cartId = `cart_ss_${order.order_id}`;
    const orderId = `ord_ss_${order.order_id}`;
    const total = order.lines.reduce((sum, l) => sum + l.quantity * l.unit_price, 0);
    carts++;
    commerce.push({
      at: cartAt,
      run: () =>
        recordCartCreated(db, {
          cart_id: cartId,
          customer_id: customer,
          created_at: cartAt,
          visitor_id: visitor,
          region_id: dims.region_id ?? null,
        }),
    });
    commerce.push({
      at: placedAt,
      run: async () => {
        await recordCartCompleted(db, { cart_id: cartId, completed_at: placedAt });
        await recordOrderPlaced(
          db,
          `evt_seed_${orderId}`,
          orderPayload(order, orderId, cartId, customer, visitor, placedAt, total, settings.currency),
        );
      },
    });
    if (r() < 0.04) {
      refunds++;
      const refundedAt = new Date(
        Date.parse(placedAt) + (2 + Math.floor(r() * 8)) * 86_400_000,
      ).toISOString();
      const amount = r() < 0.5 ? total : order.lines[0]!.quantity * order.lines[0]!.unit_price;
      if (Date.parse(refundedAt) < options.nowMs)
        commerce.push({
          at: refundedAt,
          run: () =>
            recordOrderRefunded(db, `evt_seed_ref_${orderId}`, {
              order_id: orderId,
              amount,
              currency_code: settings.currency,
              refunded_at: refundedAt,
            }),
        });
    }

    for (let i = 1; i < options.sessionsPerOrder; i++) {
      const day = addDays(firstDay, Math.floor(r() * options.days));
      const returning = r() < 0.3;
      const other = orders[Math.floor(r() * orders.length)]!;
      const v = returning ? `vis_${other.customer_id}` : `vis_anon_${anon++}`;
      const d: Partial<TrackedEvent> = {
        device_class: weighted(r, DEVICES),
        region_id: returning
          ? `reg_${other.region.toLowerCase()}`
          : `reg_${['west', 'east', 'central', 'south'][Math.floor(r() * 4)]}`,
        customer_group: returning ? other.segment.toLowerCase().replace(/\s+/g, '_') : null,
      };
      const b = session(v, timeOn(day), d);
      b.push('page_view', { page: '/' });
      maybeSearch(b);
      browse(b, 1 + Math.floor(r() * 4));
      if (r() < 0.35) {
        const item = catalogue[Math.floor(r() * catalogue.length)]!;
        b.push('view_item', { items: [item], page: `/products/${item.item_id}` });
        const added = new Date(b.push('add_to_cart', { items: [item] })).toISOString();
        const abandoned = `cart_ab_${options.seed}_${carts++}`;
        commerce.push({
          at: added,
          run: () =>
            recordCartCreated(db, {
              cart_id: abandoned,
              created_at: added,
              visitor_id: v,
              region_id: d.region_id ?? null,
            }),
        });
        if (r() < 0.4) b.push('begin_checkout', { page: '/checkout' });
      }
    }
  }

  const visible = events.filter((e) => Date.parse(e.occurred_at) < options.nowMs);
  visible.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  for (let i = 0; i < visible.length; i += 5000) await writeEvents(db, visible.slice(i, i + 5000), settings);
  commerce.sort((a, b) => a.at.localeCompare(b.at));
  for (const c of commerce) if (Date.parse(c.at) < options.nowMs) await c.run();
  await runRollup(db, settings, options.nowMs);
  return {
    orders: orders.length,
    sessions,
    events: visible.length,
    carts,
    refunds,
    from: new Date(startOfLocalDay(firstDay, settings.timeZone)).toISOString(),
    to: new Date(startOfLocalDay(addDays(yesterday, 1), settings.timeZone)).toISOString(),
  };
}

function toItem(line: SuperstoreOrder['lines'][number], quantity: number): EventItem {
  return {
    item_id: line.product_id,
    item_name: line.name,
    item_category: line.category,
    price: line.unit_price,
    quantity,
  };
}

function orderPayload(
  order: SuperstoreOrder,
  orderId: string,
  cartId: string,
  customer: string,
  visitor: string,
  placedAt: string,
  total: number,
  currency: string,
) {
  return {
    order_id: orderId,
    order_number: order.order_id,
    customer_id: customer,
    cart_id: cartId,
    currency_code: currency,
    total,
    subtotal: total,
    discount_total: 0,
    tax_total: 0,
    shipping_total: 0,
    items: order.lines.map((l) => ({
      variant_id: null,
      product_id: l.product_id,
      quantity: l.quantity,
      unit_price: l.unit_price,
    })),
    placed_at: placedAt,
    region_id: `reg_${order.region.toLowerCase()}`,
    visitor_id: visitor,
  };
}

function event(
  visitor: string,
  at: number,
  name: TrackedEvent['name'],
  extra: Partial<TrackedEvent>,
): BufferedEvent {
  const iso = new Date(at).toISOString();
  return {
    name,
    occurred_at: iso,
    visitor_id: visitor,
    client_session_id: null,
    customer_id: null,
    customer_group: null,
    page: null,
    referrer: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    device_class: null,
    region_id: null,
    currency_code: null,
    value: null,
    items: null,
    search_term: null,
    search_results: null,
    analytics_consent: true,
    channel_id: 'seed',
    received_at: iso,
    ...extra,
  };
}
