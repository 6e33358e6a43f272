import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../src/platform/http/auth.js';
import { createStore, owner, readyCart, type Store } from '../checkout/store-fixture.js';

/** `owner` has every permission; `reader` may only read shipping options. */
const staff: Authenticator = {
  authenticate: async (request) => {
    const who = request.headers['x-test-principal'];
    if (who === 'owner') return { kind: 'staff', id: 'usr_owner', permissions: '*' };
    if (who === 'reader') return { kind: 'staff', id: 'usr_reader', permissions: new Set(['shipping:read']) };
    return null;
  },
};
const reader = { 'x-test-principal': 'reader' };

describe('admin shipping options: edit, deactivate, delete; deleting regions and tax classes', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createStore({ stock: 50 });
    store.ctx.auth = staff;
  });
  afterAll(() => store.close());

  const admin = (method: 'PATCH' | 'DELETE' | 'POST' | 'GET', url: string, payload?: object) =>
    store.app.inject({ method, url, headers: owner, ...(payload ? { payload } : {}) });
  const option = (payload: object) =>
    admin('POST', '/admin/shipping-options', { region_id: store.regionId, ...payload });
  const outbox = (topic: string) =>
    store.ctx.db.selectFrom('outbox_events').select('payload').where('topic', '=', topic).execute();
  const audit = (action: string) =>
    store.ctx.db
      .selectFrom('audit_log')
      .select(['target_id', 'actor_id', 'diff'])
      .where('action', '=', action)
      .execute();

  it("edits an option's price: open carts are priced with it, the change is audited and emitted", async () => {
    const { id: cartId } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 1 }]);
    const patched = await admin('PATCH', `/admin/shipping-options/${store.shippingOptionId}`, {
      amount: 799,
      name: 'Standard (tracked)',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ amount: 799, name: 'Standard (tracked)', price_type: 'flat' });
    const offered = (await store.app.inject({ url: `/store/carts/${cartId}/shipping-options` })).json().data;
    expect(offered).toEqual([expect.objectContaining({ id: store.shippingOptionId, price: 799 })]);
    const cart = (await store.app.inject({ url: `/store/carts/${cartId}` })).json();
    expect(cart.shipping_total).toBe(799);
    const [entry] = await audit('shipping_option.updated');
    expect(entry).toMatchObject({ target_id: store.shippingOptionId, actor_id: 'usr_owner' });
    expect(JSON.parse(entry!.diff!)).toMatchObject({ before: { amount: 499 }, after: { amount: 799 } });
    expect((await outbox('shipping_option.updated')).map((e) => JSON.parse(e.payload))).toEqual([
      { shipping_option_id: store.shippingOptionId, region_id: store.regionId, active: true },
    ]);
  });

  it('refuses bad edits with a 4xx and changes nothing', async () => {
    const url = `/admin/shipping-options/${store.shippingOptionId}`;
    const before = (await admin('GET', url)).json();
    const cases: Array<[object, number, string]> = [
      [{}, 400, 'VALIDATION_FAILED'],
      [{ amount: -1 }, 400, 'VALIDATION_FAILED'],
      [{ region_id: 'reg_other' }, 400, 'VALIDATION_FAILED'],
      [{ price_type: 'free_above' }, 422, 'INVALID_SHIPPING_OPTION'],
      [{ price_type: 'weight_table', weight_table: [] }, 422, 'INVALID_SHIPPING_OPTION'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await admin('PATCH', url, payload);
      expect([res.statusCode, res.json().error.code], JSON.stringify(payload)).toEqual([status, code]);
    }
    expect((await admin('GET', url)).json()).toEqual(before);
    expect((await admin('PATCH', '/admin/shipping-options/so_missing', { amount: 1 })).statusCode).toBe(404);
    const forbidden = await store.app.inject({
      method: 'PATCH',
      url,
      headers: reader,
      payload: { amount: 1 },
    });
    expect(forbidden.statusCode).toBe(403);
    expect((await store.app.inject({ url, headers: reader })).statusCode).toBe(200);
    expect((await admin('GET', url)).json()).toEqual(before);
  });

  it('switches pricing to free-above and weight brackets on an existing option', async () => {
    const created = (await option({ name: 'Pallet', price_type: 'flat', amount: 5000 })).json();
    const url = `/admin/shipping-options/${created.id}`;
    const free = await admin('PATCH', url, { price_type: 'free_above', free_above: 10000 });
    expect(free.json()).toMatchObject({ price_type: 'free_above', amount: 5000, free_above: 10000 });
    const weight = await admin('PATCH', url, {
      price_type: 'weight_table',
      weight_table: [
        { max_grams: 5000, amount: 900 },
        { max_grams: 1000, amount: 500 },
      ],
    });
    expect(weight.json().weight_table).toEqual([
      { max_grams: 1000, amount: 500 },
      { max_grams: 5000, amount: 900 },
    ]);
    expect((await admin('DELETE', url)).json()).toEqual({ id: created.id, deleted: true });
  });

  it('deactivates an option: carts no longer offer it, staff still list it', async () => {
    const created = (await option({ name: 'Express', price_type: 'flat', amount: 1500 })).json();
    const { id: cartId } = await readyCart(store, [{ variant: store.variants[1]!, quantity: 1 }]);
    const ids = async () =>
      (await store.app.inject({ url: `/store/carts/${cartId}/shipping-options` }))
        .json()
        .data.map((o: { id: string }) => o.id);
    expect(await ids()).toContain(created.id);
    const chose = await store.app.inject({
      method: 'PATCH',
      url: `/store/carts/${cartId}`,
      payload: { shipping_option_id: created.id },
    });
    expect(chose.json().shipping_total).toBe(1500);
    const off = await admin('PATCH', `/admin/shipping-options/${created.id}`, { active: false });
    expect(off.json().active).toBe(false);
    expect(await ids()).not.toContain(created.id);
    const listed = (await admin('GET', `/admin/shipping-options?region_id=${store.regionId}`)).json().data;
    expect(listed).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: created.id, active: false })]),
    );
    const chosen = await store.app.inject({
      method: 'PATCH',
      url: `/store/carts/${cartId}`,
      payload: { shipping_option_id: created.id },
    });
    expect(chosen.json().error.code).toBe('SHIPPING_OPTION_UNAVAILABLE');
    // The cart that chose it before is no longer charged for it and must choose again to check out.
    expect((await store.app.inject({ url: `/store/carts/${cartId}` })).json().shipping_total).toBe(0);
    const complete = await store.app.inject({ method: 'POST', url: `/store/carts/${cartId}/complete` });
    expect(complete.json().error).toMatchObject({
      code: 'CART_NOT_READY',
      message: 'The chosen shipping option is no longer offered',
    });
  });

  it('deletes an unused option; one an active cart or open order uses is a 409 and stays', async () => {
    const unused = (await option({ name: 'Unused', price_type: 'flat', amount: 100 })).json();
    const del = await admin('DELETE', `/admin/shipping-options/${unused.id}`);
    expect(del.json()).toEqual({ id: unused.id, deleted: true });
    expect((await admin('GET', `/admin/shipping-options/${unused.id}`)).statusCode).toBe(404);
    expect((await audit('shipping_option.deleted')).filter((e) => e.target_id === unused.id)).toHaveLength(1);
    expect(
      (await outbox('shipping_option.deleted')).filter(
        (e) => JSON.parse(e.payload).shipping_option_id === unused.id,
      ),
    ).toHaveLength(1);

    const used = await admin('DELETE', `/admin/shipping-options/${store.shippingOptionId}`);
    expect(used.statusCode).toBe(409);
    expect(used.json().error).toMatchObject({
      code: 'SHIPPING_OPTION_IN_USE',
      details: expect.arrayContaining([expect.objectContaining({ name: 'active carts' })]),
    });
    expect(used.json().error.message).toMatch(/deactivate it instead/);
    expect((await admin('GET', `/admin/shipping-options/${store.shippingOptionId}`)).statusCode).toBe(200);
    const forbidden = await store.app.inject({
      method: 'DELETE',
      url: `/admin/shipping-options/${store.shippingOptionId}`,
      headers: reader,
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('refuses to delete a region with open orders, active carts or shipping options; deletes an unused one', async () => {
    const { id: cartId } = await readyCart(store, [{ variant: store.variants[2]!, quantity: 1 }]);
    const placed = await store.app.inject({ method: 'POST', url: `/store/carts/${cartId}/complete` });
    expect(placed.statusCode).toBe(200);
    const refused = await admin('DELETE', `/admin/regions/${store.regionId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('REGION_IN_USE');
    expect(
      refused
        .json()
        .error.details.map((d: { name: string }) => d.name)
        .sort(),
    ).toEqual(['active carts', 'open orders', 'shipping options']);
    expect((await admin('GET', `/admin/regions/${store.regionId}`)).statusCode).toBe(200);

    const spare = await admin('POST', '/admin/regions', {
      name: 'Spare',
      currency_code: 'chf',
      tax_inclusive: true,
      default_tax_rate_bp: 810,
      countries: ['ch'],
    });
    const spareId = spare.json().id as string;
    const flat = (
      await admin('POST', '/admin/shipping-options', {
        region_id: spareId,
        name: 'Post',
        price_type: 'flat',
        amount: 900,
      })
    ).json();
    const blocked = await admin('DELETE', `/admin/regions/${spareId}`);
    expect(blocked.json().error).toMatchObject({
      code: 'REGION_IN_USE',
      message: 'The region is still in use: 1 shipping options',
    });
    await admin('DELETE', `/admin/shipping-options/${flat.id}`);
    expect((await admin('DELETE', `/admin/regions/${spareId}`)).json()).toEqual({
      id: spareId,
      deleted: true,
    });
    expect((await admin('GET', `/admin/regions/${spareId}`)).statusCode).toBe(404);
  });

  it('refuses to delete a tax class a variant uses; deletes an unused one', async () => {
    const used = (await admin('POST', '/admin/tax-classes', { code: 'food', name: 'Food' })).json();
    const unused = (await admin('POST', '/admin/tax-classes', { code: 'misc', name: 'Misc' })).json();
    const product = await admin('POST', '/admin/products', {
      title: 'Bread',
      status: 'published',
      variants: [{ sku: 'BREAD', tax_class_id: used.id, prices: [{ currency_code: 'eur', amount: 300 }] }],
    });
    expect(product.statusCode).toBe(201);
    const refused = await admin('DELETE', `/admin/tax-classes/${used.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toEqual({
      code: 'TAX_CLASS_IN_USE',
      message: 'The tax class is still in use: 1 product variants',
      details: [{ name: 'product variants', count: 1 }],
    });
    expect((await admin('GET', `/admin/tax-classes/${used.id}`)).statusCode).toBe(200);
    expect((await admin('DELETE', `/admin/tax-classes/${unused.id}`)).json()).toEqual({
      id: unused.id,
      deleted: true,
    });
  });

  it("narrows a location's pick list to one order", async () => {
    const { id: cartId } = await readyCart(store, [{ variant: store.variants[0]!, quantity: 3 }]);
    const { order } = (
      await store.app.inject({ method: 'POST', url: `/store/carts/${cartId}/complete` })
    ).json();
    const all = (await admin('GET', `/admin/pick-lists?location_id=${store.locationId}`)).json().data;
    expect(new Set(all.map((e: { order_id: string }) => e.order_id)).size).toBeGreaterThan(1);
    const one = await admin('GET', `/admin/pick-lists?location_id=${store.locationId}&order_id=${order.id}`);
    expect(one.json().data).toEqual([
      {
        order_id: order.id,
        order_number: order.number,
        variant_id: store.variants[0],
        sku: 'SKU-0',
        title: expect.any(String),
        quantity: 3,
      },
    ]);
  });
});
