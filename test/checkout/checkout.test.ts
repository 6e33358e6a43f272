import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutFaults, recoverCheckouts } from '../../src/modules/checkout/index.js';
import { paymentProvidersFor } from '../../src/modules/payments/index.js';
import { fieldCrypto } from '../../src/platform/crypto/field-crypto.js';
import { ledgerMismatches } from '../inventory/ledger-check.js';
import { ADDRESS, createStore, owner, readyCart, type Store } from './store-fixture.js';

describe('checkout', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createStore({ stock: 5 });
  });
  afterAll(async () => {
    await store.close();
  });

  const complete = (id: string, payload?: object, headers: Record<string, string> = {}) =>
    store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/complete`,
      headers,
      ...(payload ? { payload } : {}),
    });
  const stockOf = async (variant: string) =>
    await store.ctx.db
      .selectFrom('inventory_levels')
      .select(['on_hand', 'reserved'])
      .where('variant_id', '=', variant)
      .where('location_id', '=', store.locationId)
      .executeTakeFirstOrThrow();

  it('turns a cart into an order with a sequential number, committed stock and order.placed', async () => {
    const { id } = await readyCart(store, [
      { variant: store.variants[0]!, quantity: 2 },
      { variant: store.variants[1]!, quantity: 1 },
    ]);
    const cart = (await store.app.inject({ url: `/store/carts/${id}` })).json();
    // 2 × 19.99 + 29.99 + 4.99 shipping, all tax-inclusive at 21 %
    expect(cart).toMatchObject({ subtotal: 6997, shipping_total: 499, total: 7496, tax_inclusive: true });
    // tax per line, rounded half-up: 3998 → 694, 2999 → 520, shipping 499 → 87
    expect(cart.tax_total).toBe(694 + 520 + 87);
    const res = await complete(id);
    expect(res.statusCode).toBe(200);
    const { order } = res.json();
    expect(order).toMatchObject({
      number: 1001,
      display_number: '#1001',
      status: 'pending',
      payment_status: 'authorized',
      total: 7496,
      subtotal: 6997,
    });
    expect(order.items).toHaveLength(2);
    expect(order.tax_total).toBe(cart.tax_total);
    expect(await stockOf(store.variants[0]!)).toEqual({ on_hand: 3, reserved: 0 });
    const events = await store.ctx.db
      .selectFrom('outbox_events')
      .select(['topic', 'payload'])
      .where('topic', '=', 'order.placed')
      .execute();
    expect(JSON.parse(events[0]!.payload)).toMatchObject({
      order_id: order.id,
      order_number: 1001,
      cart_id: id,
      region_id: store.regionId,
      customer_id: null,
      currency_code: 'eur',
      total: 7496,
      subtotal: 6997,
      discount_total: 0,
      shipping_total: 499,
      tax_total: 1301,
      placed_at: order.created_at,
      items: expect.arrayContaining([
        { variant_id: store.variants[0], product_id: expect.any(String), quantity: 2, unit_price: 1999 },
      ]),
    });
    const completed = await store.ctx.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('topic', '=', 'cart.completed')
      .execute();
    expect(JSON.parse(completed[0]!.payload)).toMatchObject({
      cart_id: id,
      region_id: store.regionId,
      customer_id: null,
    });
    // Completing again returns the same order; the cart is closed for edits.
    const again = await complete(id);
    expect(again.json().order.id).toBe(order.id);
    const edit = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/line-items`,
      payload: { variant_id: store.variants[2], quantity: 1 },
    });
    expect(edit.statusCode).toBe(409);
    expect(await ledgerMismatches(store.ctx.db)).toEqual([]);
  });

  it('keeps the email and address encrypted on the cart and the order; a PATCH re-encrypts only what changed', async () => {
    const crypto = await fieldCrypto(store.ctx.db, store.ctx.secrets);
    const { id } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 1 }]);
    const stored = () =>
      store.ctx.db
        .selectFrom('carts')
        .select(['email', 'shipping_address'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    const before = await stored();
    const patched = await store.app.inject({
      method: 'PATCH',
      url: `/store/carts/${id}`,
      payload: { email: 'grace@example.com', shipping_address: ADDRESS },
    });
    expect(patched.statusCode).toBe(200);
    const after = await stored();
    expect(after.shipping_address).toBe(before.shipping_address); // sent as it was: not written again
    expect(after.email).not.toBe(before.email);
    expect(await crypto.decrypt(after.email!)).toBe('grace@example.com');

    const res = await complete(id);
    expect(res.statusCode).toBe(200);
    const order = await store.ctx.db
      .selectFrom('orders')
      .select(['email', 'shipping_address', 'billing_address'])
      .where('id', '=', res.json().order.id)
      .executeTakeFirstOrThrow();
    expect(order.email).toMatch(/^enc:v1:/);
    expect(order.shipping_address).toMatch(/^enc:v1:/);
    expect(await crypto.decrypt(order.email)).toBe('grace@example.com');
    expect(JSON.parse(await crypto.decrypt(order.shipping_address))).toEqual(
      res.json().order.shipping_address,
    );
    expect(order.billing_address).toBeNull();
  });

  it('refuses carts that are not ready, writing nothing', async () => {
    const created = await store.app.inject({
      method: 'POST',
      url: '/store/carts',
      payload: { region_id: store.regionId },
    });
    const res = await complete(created.json().id);
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('CART_NOT_READY');
    const cart = (await store.app.inject({ url: `/store/carts/${created.json().id}` })).json();
    expect(cart.status).toBe('open');
  });

  it('releases every reservation and leaves the cart usable when stock ran out meanwhile', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[2]!, quantity: 5 }]);
    const { id: other } = await readyCart(store, [{ variant: store.variants[2]!, quantity: 1 }]);
    expect((await complete(other)).statusCode).toBe(200);
    const res = await complete(id);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      details: [{ variant_id: store.variants[2], requested: 5, available: 4 }],
    });
    expect((await store.app.inject({ url: `/store/carts/${id}` })).json().status).toBe('open');
    expect(await stockOf(store.variants[2]!)).toEqual({ on_hand: 4, reserved: 0 });
  });

  it('resolves a crash between authorization and order creation on restart: the authorization is voided', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[1]!, quantity: 1 }]);
    checkoutFaults.afterAuthorize = () => {
      throw new Error('simulated crash');
    };
    const crashed = await complete(id);
    checkoutFaults.afterAuthorize = undefined;
    expect(crashed.statusCode).toBe(500);
    const payment = await store.ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('reference_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(payment.status).toBe('authorized');
    expect((await stockOf(store.variants[1]!)).reserved).toBe(1);

    const providers = paymentProvidersFor(store.ctx);
    expect((await recoverCheckouts({ db: store.ctx.db, providers })).recovered).toEqual([]); // lock still live
    const later = new Date(Date.now() + 120_000).toISOString();
    expect((await recoverCheckouts({ db: store.ctx.db, providers }, later)).recovered).toEqual([id]);
    const voided = await store.ctx.db
      .selectFrom('payments')
      .select('status')
      .where('id', '=', payment.id)
      .executeTakeFirstOrThrow();
    expect(voided.status).toBe('canceled');
    expect((await stockOf(store.variants[1]!)).reserved).toBe(0);
    expect(
      await store.ctx.db.selectFrom('orders').select('id').where('cart_id', '=', id).execute(),
    ).toHaveLength(0);
    // The cart is usable again and completes normally.
    const retry = await complete(id);
    expect(retry.statusCode).toBe(200);
    expect(await ledgerMismatches(store.ctx.db)).toEqual([]);
  });

  it('runs the order through payment, fulfillment, shipment, delivery and a refunded return', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 2 }]);
    const { order } = (await complete(id, { payment: { method: 'cash_on_delivery' } })).json();
    const call = (path: string, payload?: object) =>
      store.app.inject({
        method: 'POST',
        url: `/admin/orders/${order.id}${path}`,
        headers: owner,
        ...(payload ? { payload } : {}),
      });
    expect((await call('/mark-paid')).json()).toMatchObject({ status: 'paid', payment_status: 'captured' });
    const pick = (
      await store.app.inject({ url: `/admin/pick-lists?location_id=${store.locationId}`, headers: owner })
    ).json();
    expect(pick.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ order_id: order.id, quantity: 2 })]),
    );
    const ful = await call('/fulfillments', {});
    expect(ful.statusCode).toBe(201);
    const [fulfillmentId] = ful.json().fulfillment_ids;
    expect(
      (
        await call(`/fulfillments/${fulfillmentId}/shipments`, { carrier: 'DHL', tracking_number: 'JD0001' })
      ).json().status,
    ).toBe('shipped');
    expect((await call(`/fulfillments/${fulfillmentId}/deliver`)).json().status).toBe('delivered');
    const ret = await call('/returns', {
      items: [{ line_item_id: order.items[0].id, quantity: 1 }],
      reason: 'too big',
    });
    expect(ret.statusCode).toBe(201);
    const received = await call(`/returns/${ret.json().return_id}/receive`, { restock: true });
    expect(received.json()).toMatchObject({ status: 'partially_refunded', refunded_total: 1999 });
    expect(await stockOf(store.variants[0]!)).toMatchObject({ reserved: 0 });
    expect((await call('/cancel')).statusCode).toBe(409);
    await call('/notes', { message: 'customer called' });
    const timeline = (
      await store.app.inject({ url: `/admin/orders/${order.id}/timeline`, headers: owner })
    ).json().data;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'placed',
      'paid',
      'fulfilled',
      'shipped',
      'delivered',
      'return_requested',
      'refunded',
      'note',
    ]);
    const topics = (
      await store.ctx.db
        .selectFrom('outbox_events')
        .select('topic')
        .where('topic', 'like', 'order.%')
        .execute()
    ).map((e) => e.topic);
    expect(topics).toEqual(
      expect.arrayContaining([
        'order.placed',
        'order.paid',
        'order.fulfilled',
        'order.shipped',
        'order.delivered',
        'order.refunded',
      ]),
    );
    expect(await ledgerMismatches(store.ctx.db)).toEqual([]);
  });

  it('cancels an unshipped order: payment voided, stock restocked', async () => {
    const before = await stockOf(store.variants[1]!);
    const { id } = await readyCart(store, [{ variant: store.variants[1]!, quantity: 1 }]);
    const { order } = (await complete(id)).json();
    const res = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/cancel`,
      headers: owner,
      payload: { reason: 'customer asked' },
    });
    expect(res.json()).toMatchObject({ status: 'canceled', payment_status: 'canceled' });
    expect(await stockOf(store.variants[1]!)).toEqual(before);
    expect(
      (await store.app.inject({ method: 'POST', url: `/admin/orders/${order.id}/mark-paid`, headers: owner }))
        .statusCode,
    ).toBe(409);
  });
});
