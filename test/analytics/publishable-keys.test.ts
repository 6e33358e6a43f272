import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { eventBufferFor } from '../../src/modules/analytics/event-buffer.js';
import { keyStoreResolver } from '../../src/modules/analytics/publishable-key.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { type StaffCredentials, staffCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';

describe('x-publishable-key on /store/events checks the real key store', () => {
  let t: TestApp;
  let owner: StaffCredentials;
  beforeAll(async () => {
    setAnalyticsSettings({ flushIntervalMs: 10_000, flushMaxEvents: 10_000, maxEventsPerVisitorMinute: 600 });
    t = await createTestApp();
    owner = await staffCredentials(t, 'owner');
  });
  afterAll(async () => {
    await t.close();
  });

  const flush = () => eventBufferFor(t.ctx.db, createLogger('silent'), () => ({}) as never).flush();
  const track = (visitor: string, key?: { header?: string; query?: string }) =>
    t.app.inject({
      method: 'POST',
      url: `/store/events${key?.query ? `?key=${encodeURIComponent(key.query)}` : ''}`,
      headers: { 'user-agent': BROWSER, ...(key?.header ? { 'x-publishable-key': key.header } : {}) },
      payload: { visitor_id: visitor, events: [{ name: 'page_view', page: '/' }] },
    });
  const createKey = async (sales_channel_id: string | null) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/api-keys',
      headers: owner.headers,
      payload: { kind: 'publishable', name: `shop ${sales_channel_id}`, sales_channel_id },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { token: string; key: { id: string } };
  };
  const channels = async () =>
    Object.fromEntries(
      (await t.ctx.db.selectFrom('analytics_events').select(['visitor_id', 'channel_id']).execute()).map(
        (e) => [e.visitor_id, e.channel_id],
      ),
    );

  it('maps a live key to its channel, no key to the default channel, and refuses unknown or revoked keys', async () => {
    const web = await createKey('sc_web');
    const plain = await createKey(null);
    const revoked = await createKey('sc_kiosk');
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/admin/api-keys/${revoked.key.id}/revoke`,
      headers: owner.headers,
    });
    expect(revoke.statusCode, revoke.body).toBe(200);

    expect((await track('v-web', { header: web.token })).statusCode).toBe(202);
    // sendBeacon cannot set headers: the tracker sends the key as ?key= then.
    expect((await track('v-beacon', { query: web.token })).statusCode).toBe(202);
    expect((await track('v-plain', { header: plain.token })).statusCode).toBe(202);
    expect((await track('v-none')).statusCode).toBe(202);
    for (const [visitor, key] of [
      ['v-unknown', 'pk_this_key_was_never_made'],
      ['v-revoked', revoked.token],
      // A secret key is no publishable key.
      ['v-secret', 'sk_not_a_publishable_key'],
    ] as const) {
      const res = await track(visitor, { header: key });
      expect(res.statusCode, visitor).toBe(401);
      expect(res.json().error.code).toBe('INVALID_PUBLISHABLE_KEY');
    }
    await flush();
    expect(await channels()).toEqual({
      'v-web': 'sc_web',
      'v-beacon': 'sc_web',
      'v-plain': 'default',
      'v-none': 'default',
    });
  });

  it('a key revoked while in use is refused once the short cache lapses', async () => {
    const key = await createKey('sc_app');
    const resolver = keyStoreResolver(t.ctx.db, 50);
    expect(await resolver.resolve(key.token)).toEqual({ channel_id: 'sc_app' });
    await t.app.inject({
      method: 'POST',
      url: `/admin/api-keys/${key.key.id}/revoke`,
      headers: owner.headers,
    });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await resolver.resolve(key.token)).toBeNull();
    expect(await resolver.resolve(undefined)).toEqual({ channel_id: 'default' });
  });
});
