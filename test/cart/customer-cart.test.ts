import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import { ADDRESS, createStore, owner, type Store, staff } from '../checkout/store-fixture.js';
import { type CustomerCredentials, customerCredentials } from '../helpers/identity.js';

// Guest carts merging on sign-in, and customer-group promotions fed from identity, over HTTP with
// real customer sessions (the store fixture's fake staff principal stays for admin calls).
describe('customer carts', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createStore({ stock: 50 });
    const real = createAuthenticator(() => identityDeps(store.ctx));
    store.ctx.auth = {
      authenticate: async (request) => (await staff.authenticate(request)) ?? real.authenticate(request),
    };
  });
  afterAll(async () => {
    await store.close();
  });

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers = {}) =>
    store.app.inject({ method, url, payload: payload as object, headers });
  const newCart = async (headers = {}) => {
    const res = await inject('POST', '/store/carts', { region_id: store.regionId }, headers);
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; customer_id: string | null };
  };
  // A customer's cart opens only to that customer: calls on it carry their credentials.
  const add = async (cartId: string, variant: string, quantity: number, headers = {}) => {
    const res = await inject(
      'POST',
      `/store/carts/${cartId}/line-items`,
      { variant_id: variant, quantity },
      headers,
    );
    expect(res.statusCode, res.body).toBe(200);
  };
  const login = (who: CustomerCredentials, cart_id?: string) =>
    inject('POST', '/store/auth/login', {
      email: who.email,
      password: who.password,
      transport: 'bearer',
      ...(cart_id ? { cart_id } : {}),
    });
  const quantities = async (cartId: string, headers = {}) => {
    const res = await inject('GET', `/store/carts/${cartId}`, undefined, headers);
    expect(res.statusCode).toBe(200);
    return Object.fromEntries(
      (res.json().items as { variant_id: string; quantity: number }[]).map((i) => [i.variant_id, i.quantity]),
    );
  };
  const mergedEvents = async (guestId: string) =>
    (
      await store.ctx.db
        .selectFrom('outbox_events')
        .select('payload')
        .where('topic', '=', 'cart.merged')
        .execute()
    )
      .map((e) => JSON.parse(e.payload))
      .filter((p) => p.guest_cart_id === guestId);

  it('merges the guest cart into the customer cart on sign-in', async () => {
    const ada = await customerCredentials(store);
    const [v0, v1] = store.variants as [string, string];
    const own = await newCart(ada.headers);
    expect(own.customer_id).toBe(ada.id);
    await add(own.id, v0, 1, ada.headers);
    const guest = await newCart();
    expect(guest.customer_id).toBeNull();
    await add(guest.id, v0, 2);
    await add(guest.id, v1, 1);
    await inject('PATCH', `/store/carts/${guest.id}`, { shipping_address: ADDRESS });

    const res = await login(ada, guest.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ cart_id: own.id, token: expect.any(String) });
    expect(await quantities(own.id, ada.headers)).toEqual({ [v0]: 3, [v1]: 1 });
    const merged = (await inject('GET', `/store/carts/${own.id}`, undefined, ada.headers)).json();
    expect(merged.shipping_address).toMatchObject({ city: ADDRESS.city });
    expect((await inject('GET', `/store/carts/${guest.id}`)).json().error.code).toBe('CART_NOT_FOUND');
    expect(await mergedEvents(guest.id)).toEqual([
      expect.objectContaining({ cart_id: own.id, customer_id: ada.id }),
    ]);

    // Signing in again (a retried request, another device) changes nothing and names the same cart.
    const again = await login(ada, guest.id);
    expect(again.json().cart_id).toBe(own.id);
    expect(await quantities(own.id, ada.headers)).toEqual({ [v0]: 3, [v1]: 1 });
  });

  it('hands the guest cart to a customer who has no open cart', async () => {
    const bob = await customerCredentials(store);
    const guest = await newCart();
    await add(guest.id, store.variants[2]!, 1);
    const res = await login(bob, guest.id);
    expect(res.json().cart_id).toBe(guest.id);
    expect((await inject('GET', `/store/carts/${guest.id}`, undefined, bob.headers)).json().customer_id).toBe(
      bob.id,
    );
    // Now the cart is Bob's, it no longer opens without his credentials.
    expect((await inject('GET', `/store/carts/${guest.id}`)).statusCode).toBe(404);
    expect(await mergedEvents(guest.id)).toHaveLength(1);
  });

  it("leaves another customer's cart alone and refuses a malformed cart id before signing in", async () => {
    const carol = await customerCredentials(store);
    const dave = await customerCredentials(store);
    const carolsCart = await newCart(carol.headers);
    await add(carolsCart.id, store.variants[0]!, 1, carol.headers);
    const res = await login(dave, carolsCart.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().cart_id).toBeNull();
    const carols = await inject('GET', `/store/carts/${carolsCart.id}`, undefined, carol.headers);
    expect(carols.json().customer_id).toBe(carol.id);
    expect(await quantities(carolsCart.id, carol.headers)).toEqual({ [store.variants[0]!]: 1 });

    const sessions = async () =>
      (await store.ctx.db.selectFrom('sessions').select('id').where('subject_id', '=', dave.id).execute())
        .length;
    const before = await sessions();
    const bad = await login(dave, 'not-a-cart');
    expect(bad.statusCode).toBe(400);
    expect(await sessions()).toBe(before);
  });

  it("applies a customer-group promotion and price list from the signed-in customer's real group, through checkout", async () => {
    const group = await inject('POST', '/admin/customer-groups', { name: 'VIP' }, owner);
    expect(group.statusCode, group.body).toBe(201);
    const promo = await inject(
      'POST',
      '/admin/promotions',
      { kind: 'percentage', value: 1000, conditions: { customer_group_ids: [group.json().id] } },
      owner,
    );
    expect(promo.statusCode, promo.body).toBe(201);
    const vip = await customerCredentials(store);
    const other = await customerCredentials(store);
    const patched = await inject('PATCH', `/admin/customers/${vip.id}`, { group_id: group.json().id }, owner);
    expect(patched.statusCode, patched.body).toBe(200);

    const priced = async (headers: object) => {
      const cart = await newCart(headers);
      await add(cart.id, store.variants[0]!, 1, headers); // 1999
      const res = await inject(
        'PATCH',
        `/store/carts/${cart.id}`,
        {
          email: 'shopper@example.test',
          shipping_address: ADDRESS,
          shipping_option_id: store.shippingOptionId,
        },
        headers,
      );
      return { id: cart.id, body: res.json() };
    };
    const vipCart = await priced(vip.headers);
    expect(vipCart.body.discount_total).toBe(200);
    expect(vipCart.body.discounts).toEqual([expect.objectContaining({ promotion_id: promo.json().id })]);
    expect((await priced(other.headers)).body.discount_total).toBe(0);
    expect((await priced({})).body.discount_total).toBe(0);

    // The group's price list (a member price) applies to the customer's lines, not to others'.
    const list = await inject(
      'POST',
      '/admin/price-lists',
      {
        name: 'VIP prices',
        type: 'override',
        status: 'active',
        customer_group_ids: [group.json().id],
        prices: [{ variant_id: store.variants[1]!, currency_code: 'eur', amount: 1500 }],
      },
      owner,
    );
    expect(list.statusCode, list.body).toBe(201);
    const unitPrice = async (headers: object) => {
      const cart = await newCart(headers);
      const res = await inject(
        'POST',
        `/store/carts/${cart.id}/line-items`,
        { variant_id: store.variants[1]!, quantity: 1 },
        headers,
      );
      return res.json().items[0].unit_price;
    };
    expect(await unitPrice(vip.headers)).toBe(1500);
    expect(await unitPrice(other.headers)).toBe(2999);
    expect(await unitPrice({})).toBe(2999);

    const completed = await inject(
      'POST',
      `/store/carts/${vipCart.id}/complete`,
      {},
      { ...vip.headers, 'idempotency-key': `vip-${vipCart.id}` },
    );
    expect(completed.statusCode, completed.body).toBe(200);
    expect(completed.json().order).toMatchObject({ customer_id: vip.id, discount_total: 200 });
  });

  it('prices storefront reads for a signed-in customer with their group price list, never from the shared cache', async () => {
    const group = await inject('POST', '/admin/customer-groups', { name: 'Wholesale' }, owner);
    expect(group.statusCode, group.body).toBe(201);
    const trade = await customerCredentials(store);
    const plain = await customerCredentials(store);
    await inject('PATCH', `/admin/customers/${trade.id}`, { group_id: group.json().id }, owner);
    const variant = store.variants[2]!;
    const list = await inject(
      'POST',
      '/admin/price-lists',
      {
        name: 'Wholesale prices',
        type: 'override',
        status: 'active',
        customer_group_ids: [group.json().id],
        prices: [{ variant_id: variant, currency_code: 'eur', amount: 1000 }],
      },
      owner,
    );
    expect(list.statusCode, list.body).toBe(201);
    const { product_id } = await store.ctx.db
      .selectFrom('product_variants')
      .select('product_id')
      .where('id', '=', variant)
      .executeTakeFirstOrThrow();

    const detail = async (headers: object) => {
      const res = await inject(
        'GET',
        `/store/products/${product_id}?region_id=${store.regionId}`,
        undefined,
        headers,
      );
      expect(res.statusCode, res.body).toBe(200);
      const price = res.json().variants.find((v: { id: string }) => v.id === variant).price;
      return { amount: price.amount, list: price.price_list_id, cacheControl: res.headers['cache-control'] };
    };
    const listed = async (headers: object) => {
      const res = await inject(
        'GET',
        `/store/products?region_id=${store.regionId}&limit=50`,
        undefined,
        headers,
      );
      return res.json().data.find((p: { id: string }) => p.id === product_id).price.amount;
    };
    const quoted = async (headers: object) => {
      const res = await inject(
        'GET',
        `/store/prices?region_id=${store.regionId}&variant_ids=${variant}`,
        undefined,
        headers,
      );
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data[0].amount;
    };

    // A guest first fills the shared cache; the wholesale customer still gets their price, and their
    // answer is kept by nobody: the next guest and a customer outside the group see the base price.
    const base = await detail({});
    expect(base).toMatchObject({ amount: 3999, list: null, cacheControl: expect.stringContaining('public') });
    expect(await detail(trade.headers)).toEqual({
      amount: 1000,
      list: list.json().id,
      cacheControl: 'private, no-store',
    });
    expect((await detail({})).amount).toBe(3999);
    expect((await detail(plain.headers)).amount).toBe(3999);
    expect(await listed({})).toBe(3999);
    expect(await listed(trade.headers)).toBe(1000);
    expect(await listed({})).toBe(3999);
    expect(await quoted(trade.headers)).toBe(1000);
    expect(await quoted({})).toBe(3999);

    // Over HTTP the edge lane answers the guest from its stored bytes, and leaves the customer to the app.
    const address = await store.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `${address}/store/products/${product_id}?region_id=${store.regionId}`;
    const amountOver = async (headers: Record<string, string>) => {
      const res = await fetch(url, { headers });
      const body = (await res.json()) as { variants: Array<{ id: string; price: { amount: number } }> };
      return {
        amount: body.variants.find((v) => v.id === variant)!.price.amount,
        cache: res.headers.get('x-cache'),
      };
    };
    await amountOver({});
    expect(await amountOver({})).toEqual({ amount: 3999, cache: 'hit' });
    expect((await amountOver(trade.headers)).amount).toBe(1000);
    expect((await amountOver({ cookie: 'stratus_session=not-a-session' })).amount).toBe(3999);
  });
});
