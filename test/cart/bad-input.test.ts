import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromotion } from '../../src/modules/discounts/index.js';
import { ManualProvider, PaymentProviders, StripeProvider } from '../../src/modules/payments/index.js';
import { createStore, readyCart, type Store } from '../checkout/store-fixture.js';
import { type FakeServer, fakeStripe } from '../payments/fake-providers.js';

describe('carts: bad input gets a clear 4xx and writes nothing; declined payments release stock', () => {
  let store: Store;
  let stripe: FakeServer;
  beforeAll(async () => {
    stripe = await fakeStripe();
    store = await createStore({
      stock: 3,
      providers: new PaymentProviders([
        new ManualProvider(),
        new StripeProvider({ secretKey: 'sk_test_fake', webhookSecret: 'whsec_x', apiBase: stripe.url }),
      ]),
    });
  });
  afterAll(async () => {
    await store.close();
    await stripe.close();
  });

  const snapshot = async () => {
    const carts = await store.ctx.db
      .selectFrom('carts')
      .select(['id', 'items', 'discount_codes', 'version'])
      .orderBy('id')
      .execute();
    return JSON.stringify(carts);
  };

  it('refuses bad line items, foreign carts, mismatched currencies and expired codes', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 1 }]);
    await createPromotion(store.ctx.db, {
      code: 'OLD',
      kind: 'percentage',
      value: 500,
      ends_at: '2020-01-01T00:00:00.000Z',
    });
    const before = await snapshot();
    const cases: { method: 'POST' | 'PATCH'; url: string; payload: object; status: number; code: string }[] =
      [
        {
          method: 'POST',
          url: `/store/carts/${id}/line-items`,
          payload: { variant_id: 'variant_01ARZ3NDEKTSV4RRFFQ69G5FAV', quantity: 1 },
          status: 422,
          code: 'VARIANT_NOT_AVAILABLE',
        },
        {
          method: 'POST',
          url: `/store/carts/${id}/line-items`,
          payload: { variant_id: store.variants[0]!, quantity: 0 },
          status: 400,
          code: 'VALIDATION_FAILED',
        },
        {
          method: 'POST',
          url: `/store/carts/${id}/line-items`,
          payload: { variant_id: store.variants[0]!, quantity: -2 },
          status: 400,
          code: 'VALIDATION_FAILED',
        },
        {
          method: 'POST',
          url: `/store/carts/${id}/line-items`,
          payload: { variant_id: store.variants[0]!, quantity: 50 },
          status: 409,
          code: 'INSUFFICIENT_STOCK',
        },
        {
          method: 'POST',
          url: '/store/carts/cart_01ARZ3NDEKTSV4RRFFQ69G5FAV/line-items',
          payload: { variant_id: store.variants[0]!, quantity: 1 },
          status: 404,
          code: 'CART_NOT_FOUND',
        },
        {
          method: 'POST',
          url: '/store/carts/not-a-cart/line-items',
          payload: { variant_id: store.variants[0]!, quantity: 1 },
          status: 400,
          code: 'VALIDATION_FAILED',
        },
        {
          method: 'POST',
          url: '/store/carts',
          payload: { region_id: store.regionId, currency_code: 'usd' },
          status: 400,
          code: 'CURRENCY_MISMATCH',
        },
        {
          method: 'POST',
          url: '/store/carts',
          payload: { region_id: store.regionId, currency_code: 'xxx' },
          status: 400,
          code: 'UNKNOWN_CURRENCY',
        },
        {
          method: 'POST',
          url: `/store/carts/${id}/discounts`,
          payload: { code: 'old' },
          status: 422,
          code: 'DISCOUNT_CODE_INVALID',
        },
        {
          method: 'POST',
          url: `/store/carts/${id}/discounts`,
          payload: { code: 'NOSUCHCODE' },
          status: 422,
          code: 'DISCOUNT_CODE_INVALID',
        },
        {
          method: 'PATCH',
          url: `/store/carts/${id}`,
          payload: {
            shipping_address: {
              first_name: 'A',
              last_name: 'B',
              address_1: 'x',
              city: 'y',
              postal_code: '1',
              country_code: 'us',
            },
          },
          status: 422,
          code: 'ADDRESS_NOT_IN_REGION',
        },
        {
          method: 'PATCH',
          url: `/store/carts/${id}`,
          payload: { email: 'not-an-email' },
          status: 400,
          code: 'VALIDATION_FAILED',
        },
        {
          method: 'PATCH',
          url: `/store/carts/${id}`,
          payload: { shipping_option_id: 'so_01ARZ3NDEKTSV4RRFFQ69G5FAV' },
          status: 404,
          code: 'SHIPPING_OPTION_NOT_FOUND',
        },
      ];
    for (const c of cases) {
      const res = await store.app.inject({ method: c.method, url: c.url, payload: c.payload });
      expect(res.statusCode, `${c.url} ${JSON.stringify(c.payload)} → ${res.body}`).toBe(c.status);
      expect(res.json().error.code).toBe(c.code);
    }
    expect(await snapshot()).toBe(before);
    const expired = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/discounts`,
      payload: { code: 'old' },
    });
    expect(expired.json().error.details).toEqual([{ code: 'OLD', reason: 'expired' }]);
  });

  it('a declined card releases every reservation and leaves the cart usable', async () => {
    const variant = store.variants[1]!;
    const { id } = await readyCart(store, [{ variant, quantity: 3 }]);
    const declined = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/complete`,
      payload: { payment: { provider: 'stripe', data: { payment_method: 'pm_card_chargeDeclined' } } },
    });
    expect(declined.statusCode).toBe(402);
    expect(declined.json().error).toMatchObject({
      code: 'CHECKOUT_PAYMENT_DECLINED',
      details: { decline_code: 'generic_decline' },
    });
    const level = await store.ctx.db
      .selectFrom('inventory_levels')
      .select(['on_hand', 'reserved'])
      .where('variant_id', '=', variant)
      .executeTakeFirstOrThrow();
    expect(level).toEqual({ on_hand: 3, reserved: 0 });
    expect((await store.app.inject({ url: `/store/carts/${id}` })).json().status).toBe('open');
    expect(
      await store.ctx.db.selectFrom('orders').select('id').where('cart_id', '=', id).execute(),
    ).toHaveLength(0);

    const paid = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/complete`,
      payload: {
        payment: { provider: 'stripe', capture_mode: 'automatic', data: { payment_method: 'pm_card_visa' } },
      },
    });
    expect(paid.statusCode).toBe(200);
    expect(paid.json().order).toMatchObject({ status: 'paid', payment_status: 'captured' });
  });
});
