import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizePayment,
  bindPaymentProviders,
  cancelPayment,
  capturePayment,
  initiatePayment,
  ManualProvider,
  PaymentProviders,
  processWebhookEvent,
  refundPayment,
  StripeProvider,
} from '../../src/modules/payments/index.js';
import type { App } from '../../src/platform/http/app.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { type FakeServer, fakeStripe } from './fake-providers.js';

const WEBHOOK_SECRET = 'whsec_test_secret';

describe('Stripe payments (against a fake Stripe API)', () => {
  let t: TestContext;
  let app: App;
  let fake: FakeServer & { intents: Map<string, Record<string, unknown>> };
  let providers: PaymentProviders;
  const signer = new Stripe('sk_test_fake');

  beforeAll(async () => {
    fake = await fakeStripe();
    t = await createTestContext();
    providers = new PaymentProviders([
      new ManualProvider(),
      new StripeProvider({ secretKey: 'sk_test_fake', webhookSecret: WEBHOOK_SECRET, apiBase: fake.url }),
    ]);
    bindPaymentProviders(t.ctx, providers);
    app = await buildApp(t.ctx);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
    await fake.close();
  });

  const start = (capture_mode: 'manual' | 'automatic' = 'manual', amount = 4999) =>
    initiatePayment(t.ctx.db, providers, {
      reference_type: 'cart',
      reference_id: 'cart_test',
      provider: 'stripe',
      amount,
      currency_code: 'EUR',
      capture_mode,
    });

  it('creates a PaymentIntent, authorizes, captures later and refunds in parts', async () => {
    const { payment, client_data } = await start();
    expect(payment.provider_reference).toMatch(/^pi_fake/);
    expect(client_data.client_secret).toBe(`${payment.provider_reference}_secret_fake`);
    const create = fake.requests.find((r) => r.path === '/v1/payment_intents')!;
    expect(create.headers['idempotency-key']).toBe(`stratus-create-${payment.id}`);
    expect(new URLSearchParams(create.body).get('capture_method')).toBe('manual');

    const authorized = await authorizePayment(t.ctx.db, providers, payment.id, {
      payment_method: 'pm_card_visa',
    });
    expect(authorized).toMatchObject({ ok: true, payment: { status: 'authorized', amount_captured: 0 } });
    const captured = await capturePayment(t.ctx.db, providers, payment.id);
    expect(captured).toMatchObject({ status: 'captured', amount_captured: 4999 });
    expect(fake.intents.get(payment.provider_reference!)!.status).toBe('succeeded');

    const part = await refundPayment(t.ctx.db, providers, payment.id, { amount: 1000, reason: 'damaged' });
    expect(part.payment).toMatchObject({ status: 'partially_refunded', amount_refunded: 1000 });
    await expect(refundPayment(t.ctx.db, providers, payment.id, { amount: 4000 })).rejects.toMatchObject({
      code: 'PAYMENT_REFUND_EXCEEDS_CAPTURED',
    });
    const rest = await refundPayment(t.ctx.db, providers, payment.id, { amount: 3999 });
    expect(rest.payment).toMatchObject({ status: 'refunded', amount_refunded: 4999 });
    const refunds = await t.ctx.db
      .selectFrom('payment_refunds')
      .selectAll()
      .where('payment_id', '=', payment.id)
      .execute();
    expect(refunds.map((r) => r.provider_reference)).toEqual([
      expect.stringMatching(/^re_fake/),
      expect.stringMatching(/^re_fake/),
    ]);
    const topics = await t.ctx.db.selectFrom('outbox_events').select('topic').orderBy('id').execute();
    expect(topics.map((r) => r.topic)).toEqual(
      expect.arrayContaining([
        'payment.initiated',
        'payment.authorized',
        'payment.captured',
        'payment.refunded',
      ]),
    );
  });

  it('captures on authorization when capture is automatic', async () => {
    const { payment } = await start('automatic', 1200);
    const result = await authorizePayment(t.ctx.db, providers, payment.id, {
      payment_method: 'pm_card_visa',
    });
    expect(result).toMatchObject({ ok: true, payment: { status: 'captured', amount_captured: 1200 } });
  });

  it('returns a decline as a value and marks the payment failed', async () => {
    const { payment } = await start();
    const result = await authorizePayment(t.ctx.db, providers, payment.id, {
      payment_method: 'pm_card_chargeDeclined',
    });
    expect(result).toMatchObject({
      ok: false,
      code: 'generic_decline',
      requires_action: false,
      payment: { status: 'failed' },
    });
  });

  it('reports 3-D Secure as requires_action without changing the payment', async () => {
    const { payment } = await start();
    const result = await authorizePayment(t.ctx.db, providers, payment.id, {
      payment_method: 'pm_card_threeDSecureRequired',
    });
    expect(result).toMatchObject({ ok: false, requires_action: true, payment: { status: 'pending' } });
  });

  it('voids an authorization (the checkout compensation), idempotently', async () => {
    const { payment } = await start();
    await authorizePayment(t.ctx.db, providers, payment.id, { payment_method: 'pm_card_visa' });
    expect((await cancelPayment(t.ctx.db, providers, payment.id)).status).toBe('canceled');
    expect((await cancelPayment(t.ctx.db, providers, payment.id)).status).toBe('canceled');
    expect(fake.intents.get(payment.provider_reference!)!.status).toBe('canceled');
  });

  it('turns a Stripe outage into PAYMENT_PROVIDER_ERROR and writes no payment', async () => {
    const before = await t.ctx.db.selectFrom('payments').select('id').execute();
    fake.failNext(5);
    await expect(start()).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR' });
    fake.failNext(0);
    expect(await t.ctx.db.selectFrom('payments').select('id').execute()).toHaveLength(before.length);
  });

  describe('webhook', () => {
    const event = (id: string, type: string, object: Record<string, unknown>) =>
      JSON.stringify({ id, object: 'event', type, api_version: '2024-06-20', created: 1, data: { object } });
    const deliver = (payload: string, signature: string) =>
      app.inject({
        method: 'POST',
        url: '/hooks/stripe',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        payload,
      });

    it('verifies Stripe-Signature, stores once per event id and processes via the outbox', async () => {
      const { payment } = await start('automatic', 2500);
      const payload = event('evt_fake_1', 'payment_intent.succeeded', {
        id: payment.provider_reference,
        object: 'payment_intent',
        status: 'succeeded',
      });
      const signature = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      const first = await deliver(payload, signature);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ received: true, duplicate: false });
      const again = await deliver(payload, signature);
      expect(again.json()).toEqual({ received: true, duplicate: true });

      const queued = await t.ctx.db
        .selectFrom('outbox_events')
        .selectAll()
        .where('topic', '=', 'payment.webhook_received')
        .execute();
      expect(queued).toHaveLength(1);
      const deliveries = await t.ctx.db
        .selectFrom('outbox_deliveries')
        .select('subscriber')
        .where('event_id', '=', queued[0]!.id)
        .execute();
      expect(deliveries.map((d) => d.subscriber)).toEqual(['payments.process-webhook']);
      // The payment is untouched until the worker processes the event.
      expect(
        (
          await t.ctx.db
            .selectFrom('payments')
            .select('status')
            .where('id', '=', payment.id)
            .executeTakeFirstOrThrow()
        ).status,
      ).toBe('pending');

      const webhookEventId = JSON.parse(queued[0]!.payload).webhook_event_id;
      await processWebhookEvent(t.ctx.db, webhookEventId);
      await processWebhookEvent(t.ctx.db, webhookEventId); // at-least-once: a second run changes nothing
      const row = await t.ctx.db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', payment.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'captured', amount_captured: 2500 });
      const captured = await t.ctx.db
        .selectFrom('outbox_events')
        .select('payload')
        .where('topic', '=', 'payment.captured')
        .execute();
      expect(captured.filter((e) => JSON.parse(e.payload).payment_id === payment.id)).toHaveLength(1);
    });

    it('rejects a bad, stale or missing signature with 400 and stores nothing', async () => {
      const payload = event('evt_fake_bad', 'payment_intent.succeeded', { id: 'pi_x' });
      const wrongSecret = signer.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
      const stale = signer.webhooks.generateTestHeaderString({
        payload,
        secret: WEBHOOK_SECRET,
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      });
      const tampered = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
      for (const [body, signature] of [
        [payload, wrongSecret],
        [payload, stale],
        [payload.replace('pi_x', 'pi_y'), tampered],
        [payload, 'garbage'],
      ] as const) {
        const res = await deliver(body, signature);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      }
      const stored = await t.ctx.db
        .selectFrom('payment_webhook_events')
        .select('event_id')
        .where('event_id', '=', 'evt_fake_bad')
        .execute();
      expect(stored).toHaveLength(0);
    });
  });
});
