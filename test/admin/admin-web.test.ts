import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyCart, type Store } from '../checkout/store-fixture.js';
import { staffCredentials } from '../helpers/identity.js';
import { createAdminStore } from './admin-fixture.js';

// The admin app as Stratus serves it, and the admin API additions the app relies on.
describe('admin web app and its API', () => {
  let t: Store;
  beforeAll(async () => {
    t = await createAdminStore();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends browsers from /admin to the app, which answers its shell for every client route', async () => {
    const root = await t.app.inject({ url: '/admin' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/admin/app/');
    for (const url of ['/admin/app/', '/admin/app/orders/ord_01ABC', '/admin/app/dashboard?x=1']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      // No inline script: the CSP's script-src 'self' holds.
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    // Other /admin paths stay the JSON API, browser or not.
    const api = await t.app.inject({ url: '/admin/no-such-thing', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
  });

  it('serves hashed assets immutable and compressed; the initial JS is under 300 KB gzipped', async () => {
    const shell = (await t.app.inject({ url: '/admin/app/' })).body;
    const scripts = [...shell.matchAll(/(?:src|href)="(\/admin\/app\/assets\/[^"]+\.js)"/g)].map(
      (m) => m[1]!,
    );
    expect(scripts.length).toBeGreaterThan(0);
    let gzipped = 0;
    for (const url of scripts) {
      const res = await t.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(res.rawPayload).length).toBeGreaterThan(0);
      gzipped += res.rawPayload.length;
    }
    // Charts and every screen are lazy chunks, so the first load is the shell, login and router.
    expect(gzipped).toBeLessThan(300 * 1024);
    expect((await t.app.inject({ url: '/admin/app/assets/nope.js' })).statusCode).toBe(404);
  });

  it('tells the app who is signed in, what they may do and the CSRF token of a cookie session', async () => {
    const support = await staffCredentials(t, 'support');
    const login = await t.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email: support.email, password: support.password },
    });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const me = await t.app.inject({ url: '/admin/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json().permissions).toContain('orders:read');
    expect(me.json().permissions).not.toContain('analytics:read');
    expect(me.json().csrf_token).toBe(login.json().csrf_token);
  });

  it('changes the password with the current one, ends other sessions, refuses a wrong current password', async () => {
    const staff = await staffCredentials(t, 'admin');
    const other = await staffCredentials(t, 'admin');
    const change = (headers: Record<string, string>, payload: object) =>
      t.app.inject({ method: 'POST', url: '/admin/me/password', headers, payload });
    const wrong = await change(staff.headers, {
      current_password: 'not it at all',
      new_password: 'a new long passphrase',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
    const weak = await change(staff.headers, { current_password: staff.password, new_password: 'password' });
    expect(weak.statusCode).toBe(400);
    // A second session of the same staff member ends when the password changes.
    const second = await t.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email: staff.email, password: staff.password, transport: 'bearer' },
    });
    const secondHeaders = { authorization: `Bearer ${second.json().token}` };
    const ok = await change(staff.headers, {
      current_password: staff.password,
      new_password: 'a new long passphrase',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await t.app.inject({ url: '/admin/me', headers: staff.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/admin/me', headers: secondHeaders })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/admin/me', headers: other.headers })).statusCode).toBe(200);
    const relogin = await t.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email: staff.email, password: 'a new long passphrase', transport: 'bearer' },
    });
    expect(relogin.statusCode).toBe(200);
  });

  it('filters the order list by number, email, status and date, and lists fulfilments', async () => {
    const owner = { 'x-test-principal': 'owner' };
    const place = async (email: string) => {
      const { id } = await readyCart(t, [{ variant: t.variants[0]!, quantity: 1 }], email);
      const res = await t.app.inject({ method: 'POST', url: `/store/carts/${id}/complete`, payload: {} });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().order ?? res.json();
    };
    const first = await place('Grace@Example.com');
    await place('linus@example.com');
    const list = async (query: string) => {
      const res = await t.app.inject({ url: `/admin/orders?${query}`, headers: owner });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().data as { id: string; number: number; email: string }[];
    };
    const byEmail = await list('q=grace@example.com');
    expect(byEmail.map((o) => o.id)).toEqual([first.id]);
    expect((await list(`q=%23${first.number}`)).map((o) => o.id)).toEqual([first.id]);
    expect((await list('status=canceled')).length).toBe(0);
    expect((await list('fulfillment_status=not_fulfilled')).length).toBe(2);
    expect((await list(`created_from=${encodeURIComponent('2999-01-01T00:00:00Z')}`)).length).toBe(0);
    const bad = await t.app.inject({ url: '/admin/orders?status=lost', headers: owner });
    expect(bad.statusCode).toBe(400);

    const fulfil = await t.app.inject({
      method: 'POST',
      url: `/admin/orders/${first.id}/fulfillments`,
      headers: owner,
      payload: {},
    });
    expect(fulfil.statusCode, fulfil.body).toBe(201);
    const fulfilments = await t.app.inject({ url: `/admin/orders/${first.id}/fulfillments`, headers: owner });
    expect(fulfilments.json().data).toEqual([
      expect.objectContaining({ id: fulfil.json().fulfillment_ids[0], status: expect.any(String) }),
    ]);
    const shipped = await t.app.inject({
      method: 'POST',
      url: `/admin/orders/${first.id}/fulfillments/${fulfil.json().fulfillment_ids[0]}/shipments`,
      headers: owner,
      payload: { carrier: 'DHL', tracking_number: 'JD1' },
    });
    expect(shipped.statusCode, shipped.body).toBe(200);
    const requested = await t.app.inject({
      method: 'POST',
      url: `/admin/orders/${first.id}/returns`,
      headers: owner,
      payload: { items: [{ line_item_id: first.items[0].id, quantity: 1 }], reason: 'too small' },
    });
    expect(requested.statusCode, requested.body).toBe(201);
    const returns = await t.app.inject({ url: `/admin/orders/${first.id}/returns`, headers: owner });
    expect(returns.json().data).toEqual([
      expect.objectContaining({
        id: requested.json().return_id,
        status: 'requested',
        reason: 'too small',
        items: [{ line_item_id: first.items[0].id, quantity: 1 }],
      }),
    ]);
  });

  it('refunds part of a paid order, records it on the order and emits order.refunded', async () => {
    const owner = { 'x-test-principal': 'owner' };
    const { id } = await readyCart(t, [{ variant: t.variants[0]!, quantity: 1 }], 'goodwill@example.com');
    const placed = await t.app.inject({ method: 'POST', url: `/store/carts/${id}/complete`, payload: {} });
    const order = placed.json().order ?? placed.json();
    const refund = (amount: number) =>
      t.app.inject({
        method: 'POST',
        url: `/admin/orders/${order.id}/refunds`,
        headers: owner,
        payload: { amount, reason: 'scratched box' },
      });
    const unpaid = await refund(100);
    expect(unpaid.statusCode).toBe(409);
    expect(unpaid.json().error.code).toBe('ORDER_INVALID_TRANSITION');
    const paid = await t.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/mark-paid`,
      headers: owner,
    });
    expect(paid.statusCode, paid.body).toBe(200);
    const partial = await refund(500);
    expect(partial.statusCode, partial.body).toBe(200);
    expect(partial.json()).toMatchObject({ payment_status: 'partially_refunded', refunded_total: 500 });
    const tooMuch = await refund(order.total);
    expect(tooMuch.statusCode).toBe(422);
    expect(
      (await t.app.inject({ url: `/admin/orders/${order.id}`, headers: owner })).json().refunded_total,
    ).toBe(500);
    const events = await t.ctx.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('topic', '=', 'order.refunded')
      .execute();
    expect(events.map((e) => JSON.parse(e.payload).amount)).toContain(500);
  });
});
