import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CustomerCredentials, customerCredentials } from '../helpers/identity.js';
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
    expect(await snapshot()).toBe(before);
    // B's session still works after A tried to revoke it.
    expect((await t.app.inject({ url: '/store/customers/me', headers: b.headers })).statusCode).toBe(200);
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
