import { sql } from 'kysely';
import { expect } from 'vitest';
import { createProduct } from '../../src/modules/catalog/catalog.products.js';
import { createStockLocation, setStockLevel } from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { createShippingOption } from '../../src/modules/shipping/index.js';
import type { Db } from '../../src/platform/db/database.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { ledgerMismatches } from '../inventory/ledger-check.js';
import { type ClusterWorkload, errorCode, expectStatus, type Reply } from './cluster-workload.js';

/** What the shoppers buy: a scarce variant everyone fights over and a plentiful one every cart holds. */
export interface Shop {
  regionId: string;
  shippingOptionId: string;
  scarce: { variant: string; stock: number };
  plenty: { variant: string; stock: number };
}

/** Scarce shoppers take 2; an odd stock leaves 1 unit nobody can buy, so a sold-out level shows as 1. */
const SCARCE_STOCK = 9;
const SCARCE_QUANTITY = 2;
const PLENTY_STOCK = 2000;

const ADDRESS = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  address_1: 'Hauptstr. 1',
  city: 'Berlin',
  postal_code: '10115',
  country_code: 'DE',
};

/** Seeds the shop straight into the database, before any node starts (so none has it cached). */
export async function seedShop(db: Db): Promise<Shop> {
  const { region, location } = await inTransaction(db, async (trx) => {
    const region = await createRegion(trx, {
      name: 'Europe',
      currency_code: 'eur',
      tax_inclusive: true,
      default_tax_rate_bp: 2100,
      countries: ['de'],
    });
    const location = await createStockLocation(trx, { name: 'Main', code: 'main', region_ids: [region.id] });
    return { region, location };
  });
  const variant = async (title: string, sku: string, amount: number) => {
    const { value } = await createProduct(db, {
      title,
      status: 'published',
      variants: [{ sku, weight_grams: 300, prices: [{ currency_code: 'eur', amount }] }],
    });
    return value.variants[0]!.id;
  };
  const scarce = { variant: await variant('Limited print', 'LIMITED-1', 4900), stock: SCARCE_STOCK };
  const plenty = { variant: await variant('Postcard', 'POSTCARD-1', 250), stock: PLENTY_STOCK };
  await inTransaction(db, async (trx) => {
    for (const { variant: variant_id, stock } of [scarce, plenty])
      await setStockLevel(trx, {
        variant_id,
        location_id: location.id,
        on_hand: stock,
        reason: 'seed',
        actor: 'test',
      });
  });
  const option = await createShippingOption(db, {
    region_id: region.id,
    name: 'Standard',
    price_type: 'flat',
    amount: 499,
  });
  return { regionId: region.id, shippingOptionId: option.id, scarce, plenty };
}

/** A reply in a few words, for failure messages: status, node and the order id or error code. */
function outcomeOf(reply: Reply): string {
  const order = (reply.body as { order?: { id: string } } | null)?.order?.id;
  return `${reply.status} from ${reply.node} (${order ?? errorCode(reply)})`;
}

export interface CheckoutWorkload extends ClusterWorkload {
  /** Completions sent to two nodes at once with one Idempotency-Key. */
  readonly hedged: () => number;
}

/**
 * Shoppers: create a cart, add the plentiful variant (and every other shopper 2 of the scarce one),
 * set email, address and shipping, then complete with a manual payment under the unit's
 * Idempotency-Key. Every unsafe call carries a key derived from the unit's, so the client's fail-over
 * to the other node is the same request. Every third completion is hedged: sent to both nodes at once.
 * Refusals for stock (when adding the scarce line, or at completion) are expected outcomes.
 */
export function checkoutWorkload(shop: Shop): CheckoutWorkload {
  let shoppers = 0;
  let hedged = 0;
  return {
    name: 'checkouts',
    hedged: () => hedged,
    async run(client, key) {
      const n = shoppers++;
      const keyed = (step: string) => ({ 'idempotency-key': `${key}:${step}` });
      const created = await client.request('POST', '/store/carts', {
        body: { region_id: shop.regionId },
        headers: keyed('cart'),
      });
      const cartId = (expectStatus(created, 201, 'create cart').body as { id: string }).id;
      const lines = [{ variant_id: shop.plenty.variant, quantity: 1 }];
      if (n % 2 === 0) lines.push({ variant_id: shop.scarce.variant, quantity: SCARCE_QUANTITY });
      for (const [i, line] of lines.entries()) {
        const added = await client.request('POST', `/store/carts/${cartId}/line-items`, {
          body: line,
          headers: keyed(`line-${i}`),
        });
        if (added.status === 409 && errorCode(added) === 'INSUFFICIENT_STOCK')
          return { rejected: 'INSUFFICIENT_STOCK' };
        expectStatus(added, 200, 'add line');
      }
      const details = await client.request('PATCH', `/store/carts/${cartId}`, {
        body: {
          email: `shopper${n}@example.com`,
          shipping_address: ADDRESS,
          shipping_option_id: shop.shippingOptionId,
        },
        headers: keyed('details'),
      });
      expectStatus(details, 200, 'set details');
      const complete = {
        body: { payment: { provider: 'manual', method: 'bank_transfer' } },
        headers: { 'idempotency-key': key },
      };
      let reply: Reply;
      if (n % 3 === 0) {
        hedged++;
        const [first, second] = await client.hedge('POST', `/store/carts/${cartId}/complete`, complete);
        // Both copies get the one outcome: the same order, or the same refusal.
        if (first.status !== second.status || JSON.stringify(first.body) !== JSON.stringify(second.body))
          throw new Error(`hedged completion differs: ${outcomeOf(first)} vs ${outcomeOf(second)}`);
        reply = first;
      } else reply = await client.request('POST', `/store/carts/${cartId}/complete`, complete);
      if (reply.status === 409 && errorCode(reply) === 'INSUFFICIENT_STOCK')
        return { rejected: 'INSUFFICIENT_STOCK' };
      return { id: (expectStatus(reply, 200, 'complete').body as { order: { id: string } }).order.id };
    },

    async verify(db, result) {
      const orders = await db
        .selectFrom('orders')
        .select(['id', 'cart_id', 'payment_id', 'number'])
        .execute();
      const ids = orders.map((o) => o.id).sort();
      // Every acknowledged order exists, once, and no order exists that no shopper was told about.
      expect(ids).toEqual([...result.acknowledged.values()].sort());
      expect(new Set(orders.map((o) => o.cart_id)).size).toBe(orders.length);
      expect(new Set(orders.map((o) => o.number)).size).toBe(orders.length);

      // No oversell: units sold within stock, counters equal stock − sold, the ledger balances.
      const sold = new Map(
        (
          await db
            .selectFrom('order_line_items')
            .select(['variant_id', sql<number>`sum(quantity)`.as('units')])
            .groupBy('variant_id')
            .execute()
        ).map((r) => [r.variant_id, Number(r.units)]),
      );
      for (const { variant, stock } of [shop.scarce, shop.plenty]) {
        const level = await db
          .selectFrom('inventory_levels')
          .select(['on_hand', 'reserved'])
          .where('variant_id', '=', variant)
          .executeTakeFirstOrThrow();
        expect(sold.get(variant) ?? 0).toBeLessThanOrEqual(stock);
        expect(level).toEqual({ on_hand: stock - (sold.get(variant) ?? 0), reserved: 0 });
      }
      // The scarce variant sold out under contention, to the unit.
      expect(sold.get(shop.scarce.variant)).toBe(SCARCE_STOCK - (SCARCE_STOCK % SCARCE_QUANTITY));
      expect(await ledgerMismatches(db)).toEqual([]);
      const active = await db
        .selectFrom('inventory_reservations')
        .select('id')
        .where('status', '=', 'active')
        .execute();
      expect(active).toEqual([]);

      // One authorization per order and none for refused carts: retries never authorized twice.
      const payments = await db.selectFrom('payments').select(['id', 'status', 'reference_id']).execute();
      expect(payments.map((p) => p.id).sort()).toEqual(orders.map((o) => o.payment_id).sort());
      expect(payments.filter((p) => p.status !== 'authorized')).toEqual([]);

      // Each order's events exist once and reached every subscriber, whose effects happened once.
      const events = await db
        .selectFrom('outbox_events')
        .select(['id', 'topic', 'payload'])
        .where('topic', 'in', ['order.placed', 'cart.completed'])
        .execute();
      for (const topic of ['order.placed', 'cart.completed']) {
        const orderIds = events
          .filter((e) => e.topic === topic)
          .map((e) => (JSON.parse(e.payload) as { order_id: string }).order_id)
          .sort();
        expect(orderIds, topic).toEqual(ids);
      }
      // Every subscriber of order.placed has one delivery per order, done (none left pending or dead).
      const placed = events.filter((e) => e.topic === 'order.placed').map((e) => e.id);
      const deliveries = await db
        .selectFrom('outbox_deliveries')
        .select(['subscriber', 'status'])
        .where('event_id', 'in', placed)
        .execute();
      for (const subscriber of ['analytics.order_placed', 'metering.business']) {
        const mine = deliveries.filter((d) => d.subscriber === subscriber);
        expect(mine.length, subscriber).toBe(orders.length);
        expect(
          mine.filter((d) => d.status !== 'done'),
          subscriber,
        ).toEqual([]);
      }
      const analytics = await db.selectFrom('analytics_orders').select('order_id').execute();
      expect(analytics.map((r) => r.order_id).sort()).toEqual(ids);
      const metered = await db
        .selectFrom('usage_daily')
        .select(sql<number>`sum(value)`.as('n'))
        .where('meter', '=', 'orders')
        .executeTakeFirst();
      expect(Number(metered?.n ?? 0)).toBe(orders.length);
    },
  };
}
