import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { eventBufferFor } from '../../src/modules/analytics/event-buffer.js';
import { identityDeps, registerCustomer } from '../../src/modules/identity/index.js';
import { verifySignature } from '../../src/modules/shipping/index.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { bindCourier, createStore, owner, paidCourierOrder, type Store } from '../checkout/store-fixture.js';

const SECRET = 'courier-shared-secret';
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';
const meta = { ip: '127.0.0.1', user_agent: 'vitest', request_id: 'test', secure: false };

// The meters that other modules feed, driven through the real paths: a password reset mails, a
// courier booking calls out, tracked events start sessions, and shoppers' carts are active.
describe('usage recorded where it happens', () => {
  let store: Store;
  let courier: Server;
  let courierCalls = 0;

  beforeAll(async () => {
    setAnalyticsSettings({ flushIntervalMs: 10_000, flushMaxEvents: 10_000, maxEventsPerVisitorMinute: 600 });
    courier = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        courierCalls++;
        verifySignature(SECRET, body, req.headers['x-stratus-signature']);
        const request = JSON.parse(body);
        res
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ shipment_id: `SHP-${request.order_number}`, carrier: 'FakeExpress' }));
      });
    });
    await new Promise<void>((resolve) => courier.listen(0, '127.0.0.1', resolve));
    store = await createStore({ stock: 10 });
    const url = `http://127.0.0.1:${(courier.address() as AddressInfo).port}/shipments`;
    bindCourier(store, url, SECRET);
  });
  afterAll(async () => {
    await store.close();
    await new Promise((resolve) => courier.close(resolve));
  });

  const today = async () => {
    const usage = await store.app.inject({ url: '/admin/usage', headers: owner });
    expect(usage.statusCode).toBe(200);
    const days = usage.json().data as { day: string; meters: Record<string, number> }[];
    return days.find((d) => d.day === new Date().toISOString().slice(0, 10))?.meters ?? {};
  };

  it('counts each email the mailer sends, once, whichever use case sent it', async () => {
    const deps = await identityDeps(store.ctx);
    const before = (await today()).emails_sent ?? 0;
    // Registration mails a verification link; a reset request for the account mails a reset link.
    await registerCustomer(
      deps,
      { email: 'metered@example.test', password: 'battery staple horse lamp' },
      meta,
    );
    const reset = await store.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset',
      payload: { email: 'metered@example.test' },
    });
    expect(reset.statusCode).toBe(202);
    // Nobody has this address: the same answer, no mail, nothing counted.
    const unknown = await store.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset',
      payload: { email: 'nobody@example.test' },
    });
    expect(unknown.statusCode).toBe(202);
    expect((await today()).emails_sent).toBe(before + 2);
  });

  it('counts the outbound courier call of a shipment booking', async () => {
    const order = await paidCourierOrder(store, store.variants[0]!);
    const fulfilled = await store.app.inject({
      method: 'POST',
      url: `/admin/orders/${order.id}/fulfillments`,
      headers: owner,
      payload: {},
    });
    expect(fulfilled.statusCode).toBe(201);
    expect(courierCalls).toBe(1);
    expect((await today())['webhook_calls:courier']).toBe(1);
  });

  // Before any other scrape in this file: the count is cached for 15 s per node.
  it('reports open carts changed in the last hour as stratus_active_carts', async () => {
    const open = async () =>
      (
        await store.app.inject({
          method: 'POST',
          url: '/store/carts',
          payload: { region_id: store.regionId },
        })
      ).json().id as string;
    const fresh = [await open(), await open()];
    const stale = await open();
    await store.ctx.db
      .updateTable('carts')
      .set({ updated_at: new Date(Date.now() - 2 * 3_600_000).toISOString() })
      .where('id', '=', stale)
      .execute();
    // Two fresh carts; the stale one and the courier test's completed cart do not count.
    const scrape = await store.app.inject({ url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body.split('\n')).toContain('stratus_active_carts 2');
    expect(fresh).toHaveLength(2);
  });

  it('counts analytics sessions as the writer starts them, and prices them per 1,000', async () => {
    const post = (payload: object) =>
      store.app.inject({
        method: 'POST',
        url: '/store/events',
        headers: { 'user-agent': BROWSER },
        payload,
      });
    // Three visitors start a session each; a second batch from one of them continues it.
    for (const visitor of ['vis_m1', 'vis_m2', 'vis_m3'])
      expect(
        (await post({ visitor_id: visitor, events: [{ name: 'page_view', page: '/' }] })).statusCode,
      ).toBe(202);
    await post({ visitor_id: 'vis_m1', events: [{ name: 'page_view', page: '/products' }] });
    // Without consent nothing is tracked per visitor: no session.
    await post({ consent: { analytics: false }, events: [{ name: 'page_view' }] });
    await eventBufferFor(store.ctx.db, createLogger('silent'), () => ({}) as never).flush();
    const sessions = await store.ctx.db.selectFrom('analytics_sessions').select('id').execute();
    expect(sessions).toHaveLength(3);
    expect((await today()).sessions).toBe(3);

    const costs = await store.app.inject({ url: '/admin/costs', headers: owner });
    expect(costs.statusCode).toBe(200);
    const report = costs.json();
    expect(report.sessions).toBe(3);
    // The day's cost spread over 3 sessions (total is rounded, per_1000_sessions comes from the exact sum).
    expect(report.total).toBeGreaterThan(0);
    expect(Math.abs(report.per_1000_sessions - (report.total * 1000) / 3)).toBeLessThanOrEqual(1000 / 6 + 1);
    const scrape = (await store.app.inject({ url: '/metrics' })).body;
    expect(scrape.split('\n')).toContain(
      `stratus_cost_per_1000_sessions_minor_units{currency_code="${report.currency_code}"} ${report.per_1000_sessions}`,
    );
  });
});
