import { createSign } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizePayment,
  bindPaymentProviders,
  cancelPayment,
  capturePayment,
  initiatePayment,
  ManualProvider,
  PaymentProviders,
  PayPalProvider,
  processWebhookEvent,
  refundPayment,
} from '../../src/modules/payments/index.js';
import { type App, buildApp } from '../../src/platform/http/app.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { type FakeServer, fakePayPal, makeSigningCertificate, type PayPalKeys } from './fake-providers.js';

const WEBHOOK_ID = 'WH-FAKE-1';

describe('PayPal payments (against a fake Orders v2 API)', () => {
  let t: TestContext;
  let app: App;
  let keys: PayPalKeys;
  let fake: FakeServer & { approve(id: string): void };
  let providers: PaymentProviders;

  beforeAll(async () => {
    keys = makeSigningCertificate();
    fake = await fakePayPal(keys.certificatePem);
    t = await createTestContext();
    providers = new PaymentProviders([
      new ManualProvider(),
      new PayPalProvider({
        clientId: 'client-id',
        clientSecret: 'client-secret',
        webhookId: WEBHOOK_ID,
        apiBase: fake.url,
      }),
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

  const start = (amount: number, capture_mode: 'manual' | 'automatic' = 'manual') =>
    initiatePayment(t.ctx.db, providers, {
      reference_type: 'cart',
      reference_id: 'cart_pp',
      provider: 'paypal',
      amount,
      currency_code: 'eur',
      capture_mode,
    });

  it('creates an order, waits for approval, authorizes, captures and refunds', async () => {
    const { payment, client_data } = await start(1999);
    expect(payment.provider_reference).toMatch(/^ORDER-/);
    expect(client_data.approve_url).toContain(payment.provider_reference);
    const created = fake.requests.find((r) => r.path === '/v2/checkout/orders')!;
    expect(JSON.parse(created.body).purchase_units[0].amount).toEqual({
      currency_code: 'EUR',
      value: '19.99',
    });
    expect(created.headers['paypal-request-id']).toBe(`stratus-create-${payment.id}`);

    const early = await authorizePayment(t.ctx.db, providers, payment.id);
    expect(early).toMatchObject({ ok: false, requires_action: true, payment: { status: 'pending' } });

    fake.approve(payment.provider_reference!);
    expect(await authorizePayment(t.ctx.db, providers, payment.id)).toMatchObject({
      ok: true,
      payment: { status: 'authorized' },
    });
    expect((await capturePayment(t.ctx.db, providers, payment.id)).status).toBe('captured');
    const refund = await refundPayment(t.ctx.db, providers, payment.id, { amount: 500 });
    expect(refund.payment).toMatchObject({ status: 'partially_refunded', amount_refunded: 500 });
    const refundCall = fake.requests.find((r) => r.path.endsWith('/refund'))!;
    expect(JSON.parse(refundCall.body).amount).toEqual({ currency_code: 'EUR', value: '5.00' });
    // One OAuth token served every call.
    expect(fake.requests.filter((r) => r.path === '/v1/oauth2/token')).toHaveLength(1);
  });

  it('captures at once with intent CAPTURE', async () => {
    const { payment } = await start(800, 'automatic');
    fake.approve(payment.provider_reference!);
    expect(await authorizePayment(t.ctx.db, providers, payment.id)).toMatchObject({
      ok: true,
      payment: { status: 'captured', amount_captured: 800 },
    });
  });

  it('returns INSTRUMENT_DECLINED as a declined value', async () => {
    const { payment } = await start(66600);
    fake.approve(payment.provider_reference!);
    expect(await authorizePayment(t.ctx.db, providers, payment.id)).toMatchObject({
      ok: false,
      code: 'INSTRUMENT_DECLINED',
      payment: { status: 'failed' },
    });
  });

  it('voids an authorization, and a repeated void counts as done', async () => {
    const { payment } = await start(1000);
    fake.approve(payment.provider_reference!);
    await authorizePayment(t.ctx.db, providers, payment.id);
    expect((await cancelPayment(t.ctx.db, providers, payment.id)).status).toBe('canceled');
    const provider = providers.get('paypal');
    const row = await t.ctx.db
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', payment.id)
      .executeTakeFirstOrThrow();
    await expect(
      provider.cancel({ ...row, payment_id: row.id, data: JSON.parse(row.data) }),
    ).resolves.toBeUndefined();
  });

  it('maps a PayPal outage to PAYMENT_PROVIDER_ERROR', async () => {
    fake.failNext(1);
    await expect(start(1000)).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_ERROR' });
  });

  describe('webhook (documented self-verification: RSA-SHA256 over id|time|webhook_id|crc32)', () => {
    const sign = (transmissionId: string, time: string, body: string, webhookId = WEBHOOK_ID) => {
      const signer = createSign('RSA-SHA256');
      signer.update(`${transmissionId}|${time}|${webhookId}|${crc32(Buffer.from(body))}`);
      return signer.sign(keys.privateKeyPem, 'base64');
    };
    const deliver = (body: string, headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/hooks/paypal',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
    const headersFor = (body: string, overrides: Partial<Record<string, string>> = {}) => {
      const time = new Date().toISOString();
      return {
        'paypal-transmission-id': 'tx-1',
        'paypal-transmission-time': time,
        'paypal-transmission-sig': sign('tx-1', time, body),
        'paypal-cert-url': `${fake.url}/certs/signing.pem`,
        'paypal-auth-algo': 'SHA256withRSA',
        ...overrides,
      } as Record<string, string>;
    };

    it('accepts a correctly signed event once and moves the payment on', async () => {
      const { payment } = await start(4200, 'automatic');
      const body = JSON.stringify({
        id: 'WH-EVT-1',
        event_type: 'PAYMENT.CAPTURE.COMPLETED',
        resource: {
          id: 'CAP-X',
          status: 'COMPLETED',
          supplementary_data: { related_ids: { order_id: payment.provider_reference } },
        },
      });
      const headers = headersFor(body);
      const first = await deliver(body, headers);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ received: true, duplicate: false });
      expect((await deliver(body, headers)).json()).toEqual({ received: true, duplicate: true });
      const stored = await t.ctx.db
        .selectFrom('payment_webhook_events')
        .selectAll()
        .where('event_id', '=', 'WH-EVT-1')
        .execute();
      expect(stored).toHaveLength(1);
      await processWebhookEvent(t.ctx.db, stored[0]!.id);
      const row = await t.ctx.db
        .selectFrom('payments')
        .selectAll()
        .where('id', '=', payment.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'captured', amount_captured: 4200 });
    });

    it('rejects tampered bodies, other webhook ids and foreign certificate hosts', async () => {
      const body = JSON.stringify({
        id: 'WH-EVT-BAD',
        event_type: 'PAYMENT.CAPTURE.COMPLETED',
        resource: {},
      });
      const time = new Date().toISOString();
      const cases: Record<string, string>[] = [
        headersFor(body.replace('BAD', 'BAE')),
        { ...headersFor(body), 'paypal-transmission-sig': sign('tx-1', time, body, 'WH-OTHER') },
        headersFor(body, { 'paypal-cert-url': 'https://evil.example.com/cert.pem' }),
        headersFor(body, { 'paypal-transmission-sig': '' }),
      ];
      for (const headers of cases) {
        const res = await deliver(body, headers);
        expect(res.statusCode).toBe(400);
        expect(res.json().error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      }
      const stored = await t.ctx.db
        .selectFrom('payment_webhook_events')
        .select('id')
        .where('event_id', '=', 'WH-EVT-BAD')
        .execute();
      expect(stored).toHaveLength(0);
    });
  });
});
