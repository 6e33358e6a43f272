import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizePayment,
  bindPaymentProviders,
  initiatePayment,
  ManualProvider,
  PaymentProviders,
} from '../../src/modules/payments/index.js';
import { type App, buildApp } from '../../src/platform/http/app.js';
import type { Authenticator } from '../../src/platform/http/auth.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

const staff: Authenticator = {
  authenticate: async (request) =>
    request.headers['x-test-principal'] === 'owner'
      ? { kind: 'staff', id: 'usr_owner', permissions: '*' }
      : null,
};

describe('manual payments and the admin payment API', () => {
  let t: TestContext;
  let app: App;
  const providers = new PaymentProviders([new ManualProvider({ bankDetails: 'IBAN DE00 0000' })]);
  const owner = { 'x-test-principal': 'owner' };

  beforeAll(async () => {
    t = await createTestContext();
    t.ctx.auth = staff;
    bindPaymentProviders(t.ctx, providers);
    app = await buildApp(t.ctx);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const authorized = async (method: string, amount = 3000) => {
    const { payment, client_data } = await initiatePayment(t.ctx.db, providers, {
      reference_type: 'order',
      reference_id: 'ord_x',
      provider: 'manual',
      method,
      amount,
      currency_code: 'eur',
    });
    await authorizePayment(t.ctx.db, providers, payment.id);
    return { payment, client_data };
  };

  it('gives bank transfer buyers a reference and lets staff mark the payment paid', async () => {
    const { payment, client_data } = await authorized('bank_transfer');
    expect(client_data).toMatchObject({ method: 'bank_transfer', bank_details: 'IBAN DE00 0000' });
    expect(String(client_data.transfer_reference)).toHaveLength(10);
    const paid = await app.inject({
      method: 'POST',
      url: `/admin/payments/${payment.id}/capture`,
      headers: owner,
    });
    expect(paid.statusCode).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'captured', amount_captured: 3000 });
    const again = await app.inject({
      method: 'POST',
      url: `/admin/payments/${payment.id}/capture`,
      headers: owner,
    });
    expect(again.json().status).toBe('captured');

    const refund = await app.inject({
      method: 'POST',
      url: `/admin/payments/${payment.id}/refunds`,
      headers: owner,
      payload: { amount: 3000, reason: 'returned' },
    });
    expect(refund.statusCode).toBe(201);
    expect(refund.json().payment).toMatchObject({ status: 'refunded', amount_refunded: 3000 });
  });

  it('lists the providers a storefront may offer, without secrets', async () => {
    const res = await app.inject({ url: '/store/payment-providers' });
    expect(res.json()).toEqual({ data: [{ id: 'manual', methods: ['cash_on_delivery', 'bank_transfer'] }] });
  });

  it('lists the configured providers to staff who may read payments, with the webhook path', async () => {
    const res = await app.inject({ url: '/admin/payment-providers', headers: owner });
    expect(res.json()).toEqual({
      data: [{ id: 'manual', methods: ['cash_on_delivery', 'bank_transfer'], webhook_path: null }],
    });
    expect((await app.inject({ url: '/admin/payment-providers' })).statusCode).toBe(401);
  });

  it('cancels a cash-on-delivery payment that was never collected', async () => {
    const { payment } = await authorized('cash_on_delivery');
    const res = await app.inject({
      method: 'POST',
      url: `/admin/payments/${payment.id}/cancel`,
      headers: owner,
    });
    expect(res.json().status).toBe('canceled');
    const capture = await app.inject({
      method: 'POST',
      url: `/admin/payments/${payment.id}/capture`,
      headers: owner,
    });
    expect(capture.statusCode).toBe(409);
    expect(capture.json().error.code).toBe('PAYMENT_INVALID_STATE');
  });

  it('refuses bad input with 4xx and writes nothing', async () => {
    const { payment } = await authorized('bank_transfer', 500);
    const cases = [
      { url: `/admin/payments/${payment.id}/refunds`, payload: { amount: 0 }, status: 400 },
      { url: `/admin/payments/${payment.id}/refunds`, payload: { amount: 100 }, status: 409 },
      { url: '/admin/payments/pay_01ARZ3NDEKTSV4RRFFQ69G5FAV/capture', payload: {}, status: 404 },
      { url: '/admin/payments/nope/capture', payload: {}, status: 400 },
    ];
    for (const c of cases) {
      const res = await app.inject({ method: 'POST', url: c.url, headers: owner, payload: c.payload });
      expect(res.statusCode, c.url).toBe(c.status);
    }
    expect(
      (await app.inject({ method: 'POST', url: `/admin/payments/${payment.id}/capture` })).statusCode,
    ).toBe(401);
    const refunds = await t.ctx.db
      .selectFrom('payment_refunds')
      .select('id')
      .where('payment_id', '=', payment.id)
      .execute();
    expect(refunds).toHaveLength(0);
    await expect(
      initiatePayment(t.ctx.db, providers, {
        reference_type: 'cart',
        reference_id: 'c',
        provider: 'manual',
        method: 'crypto',
        amount: 1,
        currency_code: 'eur',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      initiatePayment(t.ctx.db, providers, {
        reference_type: 'cart',
        reference_id: 'c',
        provider: 'stripe',
        amount: 1,
        currency_code: 'eur',
      }),
    ).rejects.toMatchObject({ code: 'PAYMENT_PROVIDER_UNKNOWN' });
    const hook = await app.inject({
      method: 'POST',
      url: '/hooks/stripe',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(hook.statusCode).toBe(404);
  });
});
