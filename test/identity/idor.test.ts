import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyCart, seedShop } from '../checkout/store-fixture.js';
import { type CustomerCredentials, customerCredentials, staffCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const address = {
  first_name: 'Bea',
  last_name: 'Victim',
  address_1: '221B Baker Street',
  city: 'London',
  postal_code: 'NW1 6XE',
  country_code: 'gb',
  phone: '+44 20 7224 3688',
};

describe('IDOR: a customer never reaches another customer’s data', () => {
  let t: TestApp;
  let a: CustomerCredentials;
  let b: CustomerCredentials;
  let bOpenCart = '';
  let orderId = '';
  let shop: Awaited<ReturnType<typeof seedShop>>;
  beforeAll(async () => {
    t = await createTestApp({ env: { STRATUS_RATE_LIMIT_PER_MINUTE: '100000' } });
    a = await customerCredentials(t, { first_name: 'Ann' });
    b = await customerCredentials(t, { first_name: 'Bea', phone: '+44 20 7224 3688' });
    const created = await t.app.inject({
      method: 'POST',
      url: '/store/customers/me/addresses',
      headers: b.headers,
      payload: address,
    });
    expect(created.statusCode).toBe(201);
    // B's order, placed signed in (so it is in B's order history).
    const owner = await staffCredentials(t, 'owner');
    shop = await seedShop(t, owner.headers, { products: 2 });
    const cart = await readyCart(
      { ...shop, app: t.app },
      [{ variant: shop.variants[0]!, quantity: 1 }],
      b.email,
      {
        headers: b.headers,
        address: { ...address, city: 'Berlin', country_code: 'de' },
      },
    );
    const order = await t.app.inject({
      method: 'POST',
      url: `/store/carts/${cart.id}/complete`,
      headers: b.headers,
    });
    expect(order.json().order.customer_id).toBe(b.id);
    orderId = order.json().order.id;
    // ...and an open cart of B's, with B's details on it.
    bOpenCart = (
      await readyCart({ ...shop, app: t.app }, [{ variant: shop.variants[0]!, quantity: 1 }], b.email, {
        headers: b.headers,
        address: { ...address, city: 'Berlin', country_code: 'de' },
      })
    ).id;
    const mine = await t.app.inject({
      url: `/store/customers/me/orders/${order.json().order.id}`,
      headers: b.headers,
    });
    expect(mine.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  /**
   * Every /store route in the OpenAPI document, walked with a request that would succeed for B: B's
   * ids of the right kind in the path and a valid body, so the answer A and guests get comes from the
   * ownership check, not from schema validation. A route missing from both tables fails the walk, so a
   * new route gets a recipe (or a reason it has no one else's id) when it is added.
   */
  it('every store route with B’s id answers not-found to A and guests, changes nothing, and works for B', async () => {
    const owner = await staffCredentials(t, 'owner');
    for (const code of ['IDOR10', 'IDOR5']) {
      const promotion = await t.app.inject({
        method: 'POST',
        url: '/admin/promotions',
        headers: owner.headers,
        payload: { code, kind: 'percentage', value: 500 },
      });
      expect(promotion.statusCode, promotion.body).toBe(201);
    }
    // B's own things the walk aims at: an open cart with a line and a code on it, an address, a
    // second session (so B revoking it at the end leaves B signed in), B's order.
    const cartId = (
      await readyCart({ ...shop, app: t.app }, [{ variant: shop.variants[0]!, quantity: 2 }], b.email, {
        headers: b.headers,
        address: { ...address, city: 'Berlin', country_code: 'de' },
      })
    ).id;
    const withCode = await t.app.inject({
      method: 'POST',
      url: `/store/carts/${cartId}/discounts`,
      headers: b.headers,
      payload: { code: 'IDOR5' },
    });
    expect(withCode.statusCode, withCode.body).toBe(200);
    const lineId = withCode.json().items[0].id as string;
    const addressId = (
      await t.app.inject({
        method: 'POST',
        url: '/store/customers/me/addresses',
        headers: b.headers,
        payload: address,
      })
    ).json().id as string;
    const second = await t.app.inject({
      method: 'POST',
      url: '/store/auth/login',
      payload: { email: b.email, password: b.password, transport: 'bearer' },
    });
    expect(second.statusCode, second.body).toBe(200);
    const sessions = await t.app.inject({ url: '/store/customers/me/sessions', headers: b.headers });
    const sessionId = (sessions.json().data as { id: string; current: boolean }[]).find(
      (s) => !s.current,
    )!.id;

    const cartNotFound = { status: 404, code: 'CART_NOT_FOUND' };
    const notFound = { status: 404, code: 'NOT_FOUND' };
    const signInFirst = { status: 401, code: 'UNAUTHENTICATED' };
    type Expect = { status: number; code: string };
    type Recipe = { url: string; payload?: unknown; a: Expect; guest: Expect; ok: number };
    const cart = (suffix: string, payload?: unknown, ok = 200): Recipe => ({
      url: `/store/carts/${cartId}${suffix}`,
      payload,
      a: cartNotFound,
      guest: cartNotFound,
      ok,
    });
    const mine = (url: string, a: Expect, ok: number, payload?: unknown): Recipe => ({
      url,
      payload,
      a,
      guest: signInFirst,
      ok,
    });
    // In the order B replays them at the end (each must succeed for B, so each body is valid).
    const recipes: Record<string, Recipe> = {
      'get /store/carts/{id}': cart(''),
      'patch /store/carts/{id}': cart('', {
        email: 'thief@example.test',
        shipping_address: { ...address, first_name: 'Thief', city: 'Hijacked', country_code: 'de' },
      }),
      'post /store/carts/{id}/line-items': cart('/line-items', { variant_id: shop.variants[1], quantity: 1 }),
      'patch /store/carts/{id}/line-items/{line_id}': cart(`/line-items/${lineId}`, { quantity: 5 }),
      'post /store/carts/{id}/discounts': cart('/discounts', { code: 'IDOR10' }),
      'delete /store/carts/{id}/discounts/{code}': cart('/discounts/IDOR5'),
      'get /store/carts/{id}/shipping-options': cart('/shipping-options'),
      'post /store/carts/{id}/payment-sessions': cart('/payment-sessions', { provider: 'manual' }, 201),
      'delete /store/carts/{id}/line-items/{line_id}': cart(`/line-items/${lineId}`),
      'post /store/carts/{id}/customer': { ...cart('/customer'), guest: signInFirst },
      'post /store/carts/{id}/complete': cart('/complete', {}),
      'get /store/customers/me/orders/{id}': mine(
        `/store/customers/me/orders/${orderId}`,
        {
          status: 404,
          code: 'ORDER_NOT_FOUND',
        },
        200,
      ),
      'get /store/customers/me/addresses/{id}': mine(
        `/store/customers/me/addresses/${addressId}`,
        notFound,
        200,
      ),
      'patch /store/customers/me/addresses/{id}': mine(
        `/store/customers/me/addresses/${addressId}`,
        notFound,
        200,
        { city: 'Hijacked' },
      ),
      'delete /store/customers/me/addresses/{id}': mine(
        `/store/customers/me/addresses/${addressId}`,
        notFound,
        204,
      ),
      'delete /store/customers/me/sessions/{id}': mine(
        `/store/customers/me/sessions/${sessionId}`,
        notFound,
        204,
      ),
    };
    // Routes that take no id of anyone's resource: the caller's own ("me") data, or the public catalogue.
    const noForeignId: Record<string, string> = {
      'post /store/customers': 'registers a new account',
      'post /store/auth/login': 'credentials',
      'post /store/auth/logout': 'own session',
      'post /store/auth/verify-email': 'signed token',
      'post /store/auth/password-reset': 'an email; same answer for any',
      'post /store/auth/password-reset/confirm': 'signed token',
      'get /store/customers/me': 'own',
      'patch /store/customers/me': 'own',
      'post /store/customers/me/password': 'own',
      'get /store/customers/me/addresses': 'own',
      'post /store/customers/me/addresses': 'own',
      'get /store/customers/me/sessions': 'own',
      'get /store/customers/me/export': 'own',
      'get /store/customers/me/consents': 'own',
      'post /store/customers/me/consents': 'own',
      'post /store/customers/me/erase': 'own',
      'get /store/customers/me/orders': 'own',
      'post /store/carts': 'creates a new cart',
      'get /store/payment-providers': 'public',
      'get /store/regions': 'public',
      'get /store/regions/{id}': 'public catalogue',
      'get /store/currencies': 'public',
      'get /store/prices': 'public',
      'get /store/availability': 'public',
      'get /store/products': 'public',
      'get /store/products/{id_or_handle}': 'public catalogue',
      'get /store/categories': 'public',
      'get /store/collections': 'public',
      'post /store/events': 'write-only ingestion, no one’s id',
    };

    const doc = (await t.app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/store/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    const uncovered = routes.filter((route) => !recipes[route] && !noForeignId[route]);
    expect(uncovered, 'store routes with no IDOR recipe: add one (or a reason) above').toEqual([]);
    expect(
      Object.keys(recipes).filter((route) => !routes.includes(route)),
      'stale recipes',
    ).toEqual([]);

    const snapshot = async () =>
      JSON.stringify(
        await Promise.all([
          t.ctx.db.selectFrom('carts').selectAll().orderBy('id').execute(),
          t.ctx.db.selectFrom('customer_addresses').selectAll().orderBy('id').execute(),
          t.ctx.db.selectFrom('sessions').selectAll().orderBy('id').execute(),
          t.ctx.db.selectFrom('orders').selectAll().orderBy('id').execute(),
          t.ctx.db.selectFrom('payments').selectAll().orderBy('id').execute(),
        ]),
      );
    const before = await snapshot();
    const send = (route: string, recipe: Recipe, headers: Record<string, string>) => {
      const method = route.split(' ')[0]!.toUpperCase() as 'GET';
      return t.app.inject({
        method,
        url: recipe.url,
        headers,
        ...(recipe.payload !== undefined ? { payload: recipe.payload as object } : {}),
      });
    };
    for (const [route, recipe] of Object.entries(recipes)) {
      for (const [who, headers, expected] of [
        ['A', a.headers, recipe.a],
        ['a guest', {}, recipe.guest],
      ] as const) {
        const res = await send(route, recipe, headers);
        expect(res.statusCode, `${route} by ${who}: ${res.body}`).toBe(expected.status);
        expect(res.json().error.code, `${route} by ${who}`).toBe(expected.code);
        expect(res.body).not.toContain('Baker');
        expect(res.body).not.toContain(b.email);
      }
    }
    expect(await snapshot()).toBe(before);
    // The same requests succeed for B: the bodies were valid, so the refusals above were ownership.
    for (const [route, recipe] of Object.entries(recipes)) {
      const res = await send(route, recipe, b.headers);
      expect(res.statusCode, `${route} by B: ${res.body}`).toBe(recipe.ok);
    }
    expect(await snapshot()).not.toBe(before);
    expect((await t.app.inject({ url: '/store/customers/me', headers: b.headers })).statusCode).toBe(200);
  });

  it('B’s carts open to B alone: A and guests get 404 and change nothing', async () => {
    const read = (headers: Record<string, string>) =>
      t.app.inject({ url: `/store/carts/${bOpenCart}`, headers });
    const before = await read(b.headers);
    expect(before.statusCode).toBe(200);
    expect(before.json().email).toBe(b.email);
    for (const headers of [a.headers, {}]) {
      expect((await read(headers)).statusCode).toBe(404);
      const patch = await t.app.inject({
        method: 'PATCH',
        url: `/store/carts/${bOpenCart}`,
        headers,
        payload: { email: 'thief@example.test' },
      });
      expect(patch.statusCode).toBe(404);
      expect(patch.body).not.toContain(b.email);
      const complete = await t.app.inject({
        method: 'POST',
        url: `/store/carts/${bOpenCart}/complete`,
        headers,
      });
      expect(complete.statusCode).toBe(404);
      expect(complete.json().error.code).toBe('CART_NOT_FOUND');
    }
    const after = await read(b.headers);
    expect(after.json()).toEqual(before.json());
    const complete = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/store/carts/${bOpenCart}/complete`,
        headers: { ...headers, 'idempotency-key': 'same-key-for-everyone' },
      });
    expect((await complete(b.headers)).statusCode).toBe(200);
    expect((await complete(b.headers)).headers['idempotent-replayed']).toBe('true');
    // Completed: neither the completion nor its stored response (same key, same request) opens to A.
    for (const headers of [a.headers, {}]) {
      const replay = await complete(headers);
      expect(replay.statusCode).toBe(404);
      expect(replay.body).not.toContain(b.email);
    }
  });

  it('A’s own reads, export and consents never contain B’s data', async () => {
    for (const url of [
      '/store/customers/me',
      '/store/customers/me/addresses',
      '/store/customers/me/sessions',
      '/store/customers/me/export',
      '/store/customers/me/consents',
      '/store/customers/me/orders',
    ]) {
      const res = await t.app.inject({ url, headers: a.headers });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).not.toContain(b.email);
      expect(res.body).not.toContain('Baker');
      expect(res.body).not.toContain(b.id);
    }
  });

  it('a customer token opens no admin route', async () => {
    for (const url of [
      '/admin/customers',
      `/admin/customers/${b.id}`,
      `/admin/customers/${b.id}/export`,
      '/admin/me',
    ]) {
      expect((await t.app.inject({ url, headers: a.headers })).statusCode, url).toBe(401);
    }
  });
});
