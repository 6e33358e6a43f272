// Random behaviour and commerce for the property test: a seeded generator, so a failure reproduces.

import type { AnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import {
  recordCartCompleted,
  recordCartCreated,
  recordOrderPlaced,
  recordOrderRefunded,
} from '../../src/modules/analytics/commerce.subscribers.js';
import type { TrackedEvent } from '../../src/modules/analytics/event-model.js';
import { type BufferedEvent, writeEvents } from '../../src/modules/analytics/ingest.writer.js';
import type { Db } from '../../src/platform/db/database.js';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

export async function loadRandomTraffic(
  db: Db,
  settings: AnalyticsSettings,
  seed: number,
  start: number,
  hours: number,
  visits = 60,
): Promise<void> {
  const r = prng(seed);
  const events: BufferedEvent[] = [];
  let n = 0;
  const base = (
    visitor: string,
    at: number,
    name: TrackedEvent['name'],
    dims: Partial<TrackedEvent>,
  ): BufferedEvent => ({
    name,
    occurred_at: new Date(at).toISOString(),
    visitor_id: visitor,
    client_session_id: null,
    customer_id: null,
    customer_group: null,
    page: `/p/${n++ % 7}`,
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
    channel_id: 'default',
    received_at: new Date(at).toISOString(),
    ...dims,
  });
  const commerce: (() => Promise<void>)[] = [];
  for (let i = 0; i < visits; i++) {
    const visitor = `v${Math.floor(r() * visits * 0.6)}`;
    const dims: Partial<TrackedEvent> = {
      device_class: pick(r, ['desktop', 'mobile', 'tablet']),
      region_id: pick(r, ['reg_us', 'reg_eu', null]),
      utm_source: pick(r, ['google', 'newsletter', null]),
      utm_medium: pick(r, ['cpc', 'email', null]),
      customer_group: pick(r, ['vip', null]),
    };
    let at = start + Math.floor(r() * hours * 3_600_000);
    const steps = 1 + Math.floor(r() * 8);
    const product = `prod_${Math.floor(r() * 6)}`;
    const item = {
      item_id: product,
      item_name: `Product ${product}`,
      item_category: pick(r, ['A', 'B']),
      price: 1000,
      quantity: 1,
    };
    let carted = false;
    for (let s = 0; s < steps; s++) {
      at += Math.floor(r() * 50 * 60_000); // gaps up to 50 minutes: some split the session
      const name = pick(r, [
        'page_view',
        'view_item',
        'view_item',
        'add_to_cart',
        'begin_checkout',
        'search',
      ] as const);
      const extra: Partial<TrackedEvent> = { ...dims };
      if (name === 'view_item' || name === 'add_to_cart') extra.items = [item];
      if (name === 'search') {
        extra.search_term = pick(r, ['lamp', 'chair', 'desk']);
        extra.search_results = pick(r, [0, 3, 10]);
      }
      if (r() < 0.05) extra.customer_id = `cus_${Math.floor(r() * 10)}`;
      events.push(base(visitor, at, name, extra));
      if (name === 'add_to_cart' && !carted) {
        carted = true;
        const cartId = `cart_${seed}_${i}`;
        const created = at;
        const buys = r() < 0.5;
        const placed = created + Math.floor(r() * 20 * 60_000);
        commerce.push(() =>
          recordCartCreated(db, {
            cart_id: cartId,
            created_at: new Date(created).toISOString(),
            visitor_id: visitor,
          }),
        );
        if (buys) {
          const orderId = `ord_${seed}_${i}`;
          const quantity = 1 + Math.floor(r() * 3);
          const customer = r() < 0.7 ? `cus_${Math.floor(r() * 10)}` : null;
          const refund = r() < 0.3;
          const refundAt = placed + Math.floor(r() * 48 * 3_600_000);
          commerce.push(async () => {
            await recordCartCompleted(db, { cart_id: cartId, completed_at: new Date(placed).toISOString() });
            await recordOrderPlaced(db, `evt_${orderId}`, {
              order_id: orderId,
              customer_id: customer,
              cart_id: cartId,
              currency_code: r() < 0.9 ? 'usd' : 'eur',
              total: 1000 * quantity + 500,
              items: [{ product_id: product, variant_id: null, quantity, unit_price: 1000 }],
              placed_at: new Date(placed).toISOString(),
              region_id: dims.region_id ?? null,
              visitor_id: r() < 0.8 ? visitor : null,
            });
            if (refund)
              await recordOrderRefunded(db, `evt_ref_${orderId}`, {
                order_id: orderId,
                amount: 700,
                currency_code: 'usd',
                refunded_at: new Date(refundAt).toISOString(),
              });
          });
        }
      }
    }
  }
  await writeEvents(db, events, settings);
  for (const c of commerce) await c();
}
