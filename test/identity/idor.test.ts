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
  const bIds: string[] = [];
  let bOpenCart = '';
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
    bIds.push(created.json().id);
    const sessions = await t.app.inject({ url: '/store/customers/me/sessions', headers: b.headers });
    bIds.push(...sessions.json().data.map((s: { id: string }) => s.id));
    bIds.push(b.id);
    // B's order, placed signed in (so it is in B's order history).
    const owner = await staffCredentials(t, 'owner');
    const shop = await seedShop(t, owner.headers, { products: 1 });
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
    bIds.push(order.json().order.id, cart.id);
    // ...and an open cart of B's, with B's details on it.
    bOpenCart = (
      await readyCart({ ...shop, app: t.app }, [{ variant: shop.variants[0]!, quantity: 1 }], b.email, {
        headers: b.headers,
        address: { ...address, city: 'Berlin', country_code: 'de' },
      })
    ).id;
    bIds.push(bOpenCart);
    const mine = await t.app.inject({
      url: `/store/customers/me/orders/${order.json().order.id}`,
      headers: b.headers,
    });
    expect(mine.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('every customer route with an id answers 404 for B’s ids when A calls it, and changes nothing', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const snapshot = async () =>
      JSON.stringify(await t.ctx.db.selectFrom('customer_addresses').selectAll().orderBy('id').execute());
    const before = await snapshot();
    const probed: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/store/') || !path.includes('{')) continue;
      for (const method of Object.keys(methods)) {
        for (const id of bIds) {
          const res = await t.app.inject({
            method: method.toUpperCase() as 'GET',
            url: path.replace(/\{[^}]+\}/g, id),
            headers: a.headers,
            ...(['post', 'put', 'patch'].includes(method) ? { payload: { city: 'Hijacked' } } : {}),
          });
          probed.push(`${method} ${path}`);
          // Not found (or, for B's id on routes about something else, invalid): never a success.
          expect(res.statusCode, `${method} ${path} with ${id}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, `${method} ${path} with ${id}`).not.toBe(500);
          expect(res.body).not.toContain('Baker');
          expect(res.body).not.toContain(b.email);
        }
      }
    }
    expect(new Set(probed).size).toBeGreaterThanOrEqual(4);
    expect(probed).toContain('get /store/customers/me/orders/{id}');
    expect(await snapshot()).toBe(before);
    // B's session still works after A tried to revoke it.
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
