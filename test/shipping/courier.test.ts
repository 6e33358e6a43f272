import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from '../../src/modules/shipping/index.js';
import {
  bindCourier,
  createStore,
  owner,
  paidCourierOrder,
  readyCart,
  type Store,
} from '../checkout/store-fixture.js';

const SECRET = 'courier-shared-secret';

describe('courier fulfillment provider (against a fake courier)', () => {
  let store: Store;
  let courier: Server;
  const received: { body: string; signature: string | undefined }[] = [];
  /** While true the fake courier answers 503 (an outage). */
  let outage = false;

  beforeAll(async () => {
    courier = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-stratus-signature'] as string | undefined });
        if (outage) {
          res.writeHead(503).end();
          return;
        }
        try {
          verifySignature(SECRET, body, req.headers['x-stratus-signature']);
        } catch {
          res.writeHead(401).end();
          return;
        }
        const request = JSON.parse(body);
        res.writeHead(201, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            shipment_id: `SHP-${request.fulfillment_id.slice(-6)}`,
            carrier: 'FakeExpress',
            tracking_number: `FX${request.order_number}`,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => courier.listen(0, '127.0.0.1', resolve));
    store = await createStore({ stock: 10 });
    const url = `http://127.0.0.1:${(courier.address() as AddressInfo).port}/shipments`;
    bindCourier(store, url, SECRET);
  });
  afterAll(async () => {
    await store.close();
    await new Promise((resolve) => courier.close(resolve));
  });

  const callback = (body: object, signature?: string) => {
    const raw = JSON.stringify(body);
    return store.app.inject({
      method: 'POST',
      url: '/hooks/courier',
      headers: {
        'content-type': 'application/json',
        'x-courier-signature': signature ?? signPayload(SECRET, raw),
      },
      payload: raw,
    });
  };

  it('books a signed shipment, then signed callbacks move the order to in transit and delivered', async () => {
    const order = await paidCourierOrder(store, store.variants[0]!);
    expect(order.shipping_total).toBe(699);
    const ful = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/fulfillments`,
      headers: owner,
      payload: {},
    });
    expect(ful.statusCode).toBe(201);
    const [fulfillmentId] = ful.json().fulfillment_ids;
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: 'shipment.requested',
      fulfillment_id: fulfillmentId,
      order_number: order.number,
      items: [{ variant_id: store.variants[0], quantity: 1 }],
    });
    const shipped = (await store.app.inject({ url: `/admin/orders/${order.id}`, headers: owner })).json();
    expect(shipped.status).toBe('shipped');
    const row = await store.ctx.db
      .selectFrom('fulfillments')
      .selectAll()
      .where('id', '=', fulfillmentId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      provider: 'courier',
      carrier: 'FakeExpress',
      tracking_number: `FX${order.number}`,
      status: 'shipped',
    });

    // Bad signatures are refused and change nothing.
    const forged = await callback(
      { event_id: 'e0', fulfillment_id: fulfillmentId, status: 'delivered' },
      signPayload('wrong', '{}'),
    );
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.code).toBe('COURIER_SIGNATURE_INVALID');
    const stale = JSON.stringify({ event_id: 'e0', fulfillment_id: fulfillmentId, status: 'delivered' });
    const old = await callback(
      JSON.parse(stale),
      signPayload(SECRET, stale, Math.floor(Date.now() / 1000) - 3600),
    );
    expect(old.statusCode).toBe(400);
    expect((await store.app.inject({ url: `/admin/orders/${order.id}`, headers: owner })).json().status).toBe(
      'shipped',
    );

    expect(
      (await callback({ event_id: 'e1', fulfillment_id: fulfillmentId, status: 'in_transit' })).json(),
    ).toEqual({ received: true, status: 'shipped' });
    expect(
      (await callback({ event_id: 'e2', fulfillment_id: fulfillmentId, status: 'delivered' })).json(),
    ).toEqual({ received: true, status: 'delivered' });
    expect(
      (await callback({ event_id: 'e2', fulfillment_id: fulfillmentId, status: 'delivered' })).json().status,
    ).toBe('delivered');
    const topics = (
      await store.ctx.db
        .selectFrom('outbox_events')
        .select('topic')
        .where('topic', 'in', ['order.shipped', 'order.delivered'])
        .execute()
    ).map((e) => e.topic);
    expect(topics.sort()).toEqual(['order.delivered', 'order.shipped']);
  });

  it('a failed booking leaves the fulfillment pending on the timeline; retry-booking books it once the courier is back', async () => {
    const order = await paidCourierOrder(store, store.variants[1]!, 'Courier (retry)');

    outage = true;
    const failed = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/fulfillments`,
      headers: owner,
      payload: {},
    });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error.code).toBe('COURIER_UNAVAILABLE');
    const fulfillment = await store.ctx.db
      .selectFrom('fulfillments')
      .selectAll()
      .where('order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    expect(fulfillment).toMatchObject({ status: 'pending', provider: 'courier', carrier: null });
    const retryUrl = `/admin/orders/${order.id}/fulfillments/${fulfillment.id}/retry-booking`;
    const retry = () => store.app.inject({ method: 'POST', url: retryUrl, headers: owner });

    expect((await store.app.inject({ method: 'POST', url: retryUrl })).statusCode).toBe(401);
    const stillDown = await retry();
    expect(stillDown.statusCode).toBe(502);
    const timeline = (
      await store.app.inject({ url: `/admin/orders/${order.id}/timeline`, headers: owner })
    ).json();
    const failures = timeline.data.filter((e: { kind: string }) => e.kind === 'booking_failed');
    expect(failures).toHaveLength(2);
    const failedEvents = await store.ctx.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('topic', '=', 'fulfillment.booking_failed')
      .execute();
    expect(failedEvents.filter((e) => JSON.parse(e.payload).fulfillment_id === fulfillment.id)).toHaveLength(
      2,
    );

    outage = false;
    const before = received.length;
    const booked = await retry();
    expect(booked.statusCode, booked.body).toBe(200);
    expect(booked.json().status).toBe('shipped');
    expect(received).toHaveLength(before + 1);
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ fulfillment_id: fulfillment.id });
    expect(
      await store.ctx.db
        .selectFrom('fulfillments')
        .select(['status', 'carrier', 'tracking_number'])
        .where('id', '=', fulfillment.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ status: 'shipped', carrier: 'FakeExpress', tracking_number: `FX${order.number}` });

    // Booked already: a second retry is refused and sends nothing.
    const again = await retry();
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('FULFILLMENT_NOT_RETRYABLE');
    expect(received).toHaveLength(before + 1);
    const unknown = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/fulfillments/ful_00000000000000000000000000/retry-booking`,
      headers: owner,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses to retry a manual fulfillment', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[2]!, quantity: 1 }]);
    const { order } = (await store.app.inject({ method: 'POST', url: `/store/carts/${id}/complete` })).json();
    await store.app.inject({ method: 'POST', url: `/admin/orders/${order.id}/mark-paid`, headers: owner });
    const ful = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/fulfillments`,
      headers: owner,
      payload: {},
    });
    const [fulfillmentId] = ful.json().fulfillment_ids;
    const res = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/fulfillments/${fulfillmentId}/retry-booking`,
      headers: owner,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('FULFILLMENT_NOT_RETRYABLE');
  });
});
