import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import { createStore, readyCart, type Store, staff } from '../checkout/store-fixture.js';
import { type CustomerCredentials, customerCredentials } from '../helpers/identity.js';

// A guest cart claimed by a customer who signs in afterwards (the storefront calls this at sign-in).
describe('attaching a guest cart to the signed-in customer', () => {
  let store: Store;
  let ada: CustomerCredentials;
  let bob: CustomerCredentials;

  beforeAll(async () => {
    store = await createStore();
    const identity = createAuthenticator(() => identityDeps(store.ctx));
    store.ctx.auth = {
      authenticate: async (request) =>
        (await staff.authenticate(request)) ?? (await identity.authenticate(request)),
    };
    ada = await customerCredentials(store);
    bob = await customerCredentials(store);
  });
  afterAll(async () => store?.close());

  it('makes the cart the customer’s, and refuses anyone else', async () => {
    const { id } = await readyCart(store, [{ variant: store.variants[1]!, quantity: 1 }], bob.email);
    const attach = (headers: Record<string, string>) =>
      store.app.inject({ method: 'POST', url: `/store/carts/${id}/customer`, headers });
    expect((await attach({})).statusCode).toBe(401);
    const mine = await attach(bob.headers);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().customer_id).toBe(bob.id);
    const stolen = await attach(ada.headers);
    expect(stolen.statusCode).toBe(404);
    // Once it has an owner, the cart opens only to them.
    expect((await store.app.inject({ url: `/store/carts/${id}` })).statusCode).toBe(404);
    const cart = await store.app.inject({ url: `/store/carts/${id}`, headers: bob.headers });
    expect(cart.json().customer_id).toBe(bob.id);
    const done = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${id}/complete`,
      headers: bob.headers,
    });
    expect(done.statusCode, done.body).toBe(200);
    const orders = await store.app.inject({ url: '/store/customers/me/orders', headers: bob.headers });
    expect(orders.json().data.map((o: { id: string }) => o.id)).toContain(done.json().order.id);
  });
});
