import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import { createStore, readyCart, type Store, staff } from '../checkout/store-fixture.js';
import { type CustomerCredentials, customerCredentials } from '../helpers/identity.js';

// A customer's order history: their own orders only, newest first, keyset-paginated, in their export.
describe('customer order history', () => {
  let store: Store;
  let ada: CustomerCredentials;
  let bob: CustomerCredentials;
  const orderIds: string[] = [];

  /** Ready a cart, attach it to the customer and complete it; returns the order id. */
  async function orderAs(customer: CustomerCredentials, quantity: number): Promise<string> {
    const { id } = await readyCart(store, [{ variant: store.variants[0]!, quantity }], customer.email);
    const attached = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/customer`,
      headers: customer.headers,
    });
    expect(attached.statusCode, attached.body).toBe(200);
    expect(attached.json().customer_id).toBe(customer.id);
    const done = await store.app.inject({ method: 'POST', url: `/store/carts/${id}/complete` });
    expect(done.statusCode, done.body).toBe(200);
    return done.json().order.id;
  }

  beforeAll(async () => {
    store = await createStore();
    // Staff by test header (for the fixture's admin calls); customers through the real identity module.
    const identity = createAuthenticator(() => identityDeps(store.ctx));
    store.ctx.auth = {
      authenticate: async (request) =>
        (await staff.authenticate(request)) ?? (await identity.authenticate(request)),
    };
    ada = await customerCredentials(store);
    bob = await customerCredentials(store);
    orderIds.push(await orderAs(ada, 1), await orderAs(ada, 2));
    await orderAs(bob, 1);
  });
  afterAll(async () => store?.close());

  it('lists only the customer’s own orders, newest first, with a keyset cursor', async () => {
    const first = await store.app.inject({ url: '/store/customers/me/orders?limit=1', headers: ada.headers });
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json();
    expect(page1.data.map((o: { id: string }) => o.id)).toEqual([orderIds[1]]);
    expect(page1.data[0].items[0]).toMatchObject({ variant_id: store.variants[0], quantity: 2 });
    expect(page1.data[0]).not.toHaveProperty('allocations');
    expect(page1.next_cursor).toEqual(expect.any(String));
    const second = await store.app.inject({
      url: `/store/customers/me/orders?limit=1&cursor=${page1.next_cursor}`,
      headers: ada.headers,
    });
    expect(second.json()).toMatchObject({ data: [{ id: orderIds[0] }], next_cursor: null });
    const bobs = (await store.app.inject({ url: '/store/customers/me/orders', headers: bob.headers })).json();
    expect(bobs.data).toHaveLength(1);
    expect(orderIds).not.toContain(bobs.data[0].id);
  });

  it('shows one order to its owner and answers 404 to anyone else', async () => {
    const mine = await store.app.inject({
      url: `/store/customers/me/orders/${orderIds[0]}`,
      headers: ada.headers,
    });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json()).toMatchObject({ id: orderIds[0], customer_id: ada.id, email: ada.email });
    const theirs = await store.app.inject({
      url: `/store/customers/me/orders/${orderIds[0]}`,
      headers: bob.headers,
    });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().error.code).toBe('ORDER_NOT_FOUND');
    const anonymous = await store.app.inject({ url: '/store/customers/me/orders' });
    expect(anonymous.statusCode).toBe(401);
    const bad = await store.app.inject({ url: '/store/customers/me/orders/nope', headers: ada.headers });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses to attach another customer’s cart', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[1]!, quantity: 1 }], bob.email);
    const attach = (headers: Record<string, string>) =>
      store.app.inject({ method: 'POST', url: `/store/carts/${id}/customer`, headers });
    expect((await attach(bob.headers)).statusCode).toBe(200);
    const stolen = await attach(ada.headers);
    expect(stolen.statusCode).toBe(404);
    expect((await attach({})).statusCode).toBe(401);
    const cart = (await store.app.inject({ url: `/store/carts/${id}` })).json();
    expect(cart.customer_id).toBe(bob.id);
  });

  it('puts the orders in the customer’s data export', async () => {
    const res = await store.app.inject({ url: '/store/customers/me/export', headers: ada.headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().orders.map((o: { id: string }) => o.id)).toEqual(orderIds);
  });
});
