import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentSyncSubscriber } from '../../src/modules/orders/index.js';
import {
  ManualProvider,
  PaymentProviders,
  processWebhookEvent,
  StripeProvider,
} from '../../src/modules/payments/index.js';
import { createStore, owner, readyCart, type Store } from '../checkout/store-fixture.js';
import { type FakeServer, fakeStripe } from '../payments/fake-providers.js';

const WEBHOOK_SECRET = 'whsec_sync';

describe('orders follow provider-side payment changes (webhook → outbox → order)', () => {
  let store: Store;
  let stripe: FakeServer;
  beforeAll(async () => {
    stripe = await fakeStripe();
    store = await createStore({
      stock: 5,
      providers: new PaymentProviders([
        new ManualProvider(),
        new StripeProvider({ secretKey: 'sk_test_fake', webhookSecret: WEBHOOK_SECRET, apiBase: stripe.url }),
      ]),
    });
  });
  afterAll(async () => {
    await store.close();
    await stripe.close();
  });

  it('marks an authorized order paid when Stripe reports the capture, once', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 1 }]);
    const done = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/complete`,
      payload: { payment: { provider: 'stripe', data: { payment_method: 'pm_card_visa' } } },
    });
    const { order } = done.json();
    expect(order).toMatchObject({ status: 'pending', payment_status: 'authorized' });
    const payment = await store.ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', order.payment_id)
      .executeTakeFirstOrThrow();

    const payload = JSON.stringify({
      id: 'evt_sync_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { id: payment.provider_reference, object: 'payment_intent' } },
    });
    const signature = new Stripe('sk_test_fake').webhooks.generateTestHeaderString({
      payload,
      secret: WEBHOOK_SECRET,
    });
    const hook = await store.app.inject({
      method: 'POST',
      url: '/hooks/stripe',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      payload,
    });
    expect(hook.statusCode).toBe(200);
    const stored = await store.ctx.db
      .selectFrom('payment_webhook_events')
      .select('id')
      .where('event_id', '=', 'evt_sync_1')
      .executeTakeFirstOrThrow();
    await processWebhookEvent(store.ctx.db, stored.id);

    const captured = await store.ctx.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('topic', '=', 'payment.captured')
      .execute();
    expect(captured).toHaveLength(1);
    const delivered = {
      id: captured[0]!.id,
      topic: captured[0]!.topic,
      payload: JSON.parse(captured[0]!.payload),
      created_at: captured[0]!.created_at,
      attempt: 1,
    };
    await paymentSyncSubscriber.handle(delivered, { db: store.ctx.db, logger: store.ctx.logger });
    await paymentSyncSubscriber.handle(
      { ...delivered, attempt: 2 },
      { db: store.ctx.db, logger: store.ctx.logger },
    );
    const after = (await store.app.inject({ url: `/admin/orders/${order.id}`, headers: owner })).json();
    expect(after).toMatchObject({ status: 'paid', payment_status: 'captured' });
    const paid = await store.ctx.db
      .selectFrom('outbox_events')
      .select('id')
      .where('topic', '=', 'order.paid')
      .execute();
    expect(paid).toHaveLength(1);
  });

  it('follows captures and partial refunds staff make through the payments API, once each', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 1 }]);
    const done = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/complete`,
      payload: { payment: { provider: 'stripe', data: { payment_method: 'pm_card_visa' } } },
    });
    const { order } = done.json();
    const deliver = async (topic: string) => {
      const rows = await store.ctx.db
        .selectFrom('outbox_events')
        .selectAll()
        .where('topic', '=', topic)
        .where('payload', 'like', `%${order.payment_id}%`)
        .orderBy('id', 'desc')
        .execute();
      const event = rows[0]!;
      const delivered = {
        id: event.id,
        topic: event.topic,
        payload: JSON.parse(event.payload),
        created_at: event.created_at,
        attempt: 1,
      };
      // Delivered twice (at least once): the second changes nothing.
      for (const attempt of [1, 2])
        await paymentSyncSubscriber.handle(
          { ...delivered, attempt },
          { db: store.ctx.db, logger: store.ctx.logger },
        );
    };
    const call = (path: string, payload?: object) =>
      store.app.inject({
        method: 'POST',
        url: `/admin/payments/${order.payment_id}${path}`,
        headers: owner,
        payload,
      });
    const current = async () =>
      (await store.app.inject({ url: `/admin/orders/${order.id}`, headers: owner })).json();

    expect((await call('/capture')).statusCode).toBe(200);
    await deliver('payment.captured');
    expect(await current()).toMatchObject({ status: 'paid', payment_status: 'captured', refunded_total: 0 });

    expect((await call('/refunds', { amount: 300 })).statusCode).toBe(201);
    await deliver('payment.refunded');
    expect(await current()).toMatchObject({ payment_status: 'partially_refunded', refunded_total: 300 });
    expect((await call('/refunds', { amount: 200 })).statusCode).toBe(201);
    await deliver('payment.refunded');
    expect(await current()).toMatchObject({ payment_status: 'partially_refunded', refunded_total: 500 });

    const refundedEvents = await store.ctx.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('topic', '=', 'order.refunded')
      .where('payload', 'like', `%${order.id}%`)
      .execute();
    expect(refundedEvents).toHaveLength(2);
  });
});
