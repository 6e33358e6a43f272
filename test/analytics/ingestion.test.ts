import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { eventBufferFor } from '../../src/modules/analytics/event-buffer.js';
import {
  defaultChannelResolver,
  setPublishableKeyResolver,
} from '../../src/modules/analytics/publishable-key.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';

describe('POST /store/events', () => {
  let t: TestApp;
  beforeEach(async () => {
    setAnalyticsSettings({ flushIntervalMs: 10_000, flushMaxEvents: 10_000, maxEventsPerVisitorMinute: 600 });
    t = await createTestApp();
  });
  afterEach(async () => {
    setPublishableKeyResolver(defaultChannelResolver);
    await t.close();
  });

  const flush = () => eventBufferFor(t.ctx.db, createLogger('silent'), () => ({}) as never).flush();
  const post = (payload: unknown, headers: Record<string, string> = { 'user-agent': BROWSER }) =>
    t.app.inject({ method: 'POST', url: '/store/events', headers, payload: payload as object });

  it('rejects bad events with a reason and stores the rest of the batch', async () => {
    const res = await post({
      visitor_id: 'vis_a',
      events: [
        { name: 'page_view', page: '/' },
        { name: 'teleport' },
        { name: 'view_item', items: [{ item_id: 'prod_1', price: 12.5 }] },
        { name: 'add_to_cart', items: [] },
        { name: 'purchase', value: 100 },
        { name: 'search', search_term: 'lamp', search_results: 0 },
        { name: 'page_view', timestamp: '2001-01-01T00:00:00Z' },
        'not an event',
        { name: 'view_item', visitor_id: 'bad id with spaces', items: [{ item_id: 'p' }] },
        {
          name: 'view_item',
          items: [
            { item_id: 'prod_2', item_name: 'Lamp', item_category: 'Lighting', price: 1999, quantity: 2 },
          ],
        },
      ],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(3);
    expect(body.rejected.map((r: { index: number; reason: string }) => [r.index, r.reason])).toEqual([
      [1, 'unknown_event_name'],
      [2, 'invalid_items'],
      [3, 'invalid_items'],
      [4, 'server_only_event'],
      [6, 'timestamp_out_of_range'],
      [7, 'not_an_object'],
      [8, 'invalid_visitor_id'],
    ]);
    expect(body.rejected[1].message).toContain('items[0].price');
    await flush();
    const events = await t.ctx.db
      .selectFrom('analytics_events')
      .select(['name', 'device_class', 'channel_id'])
      .orderBy('occurred_at')
      .execute();
    expect(events.map((e) => e.name).sort()).toEqual(['page_view', 'search', 'view_item']);
    expect(new Set(events.map((e) => `${e.device_class}/${e.channel_id}`))).toEqual(
      new Set(['desktop/default']),
    );
    const product = await t.ctx.db.selectFrom('analytics_products').selectAll().executeTakeFirstOrThrow();
    expect(product).toMatchObject({ product_id: 'prod_2', name: 'Lamp', category: 'Lighting' });
  });

  it('refuses a batch over 100 events or without an events array, writing nothing', async () => {
    const tooMany = await post({
      visitor_id: 'v',
      events: Array.from({ length: 101 }, () => ({ name: 'page_view' })),
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.code).toBe('VALIDATION_FAILED');
    expect((await post({ visitor_id: 'v' })).statusCode).toBe(400);
    await flush();
    expect(await t.ctx.db.selectFrom('analytics_events').selectAll().execute()).toEqual([]);
  });

  it('filters bots by user agent and by rate', async () => {
    const bot = await post(
      { visitor_id: 'v', events: [{ name: 'page_view' }] },
      { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' },
    );
    expect(bot.json()).toMatchObject({ accepted: 0, filtered: 1 });
    const headless = await post(
      { visitor_id: 'v', events: [{ name: 'page_view' }] },
      { 'user-agent': 'Mozilla/5.0 HeadlessChrome/120.0' },
    );
    expect(headless.json()).toMatchObject({ accepted: 0, filtered: 1 });
    setAnalyticsSettings({ maxEventsPerVisitorMinute: 5 });
    // A second app on the same context picks up the lower ceiling.
    const app2 = await buildApp(t.ctx);
    try {
      const burst = await app2.inject({
        method: 'POST',
        url: '/store/events',
        headers: { 'user-agent': BROWSER },
        payload: { visitor_id: 'scraper', events: Array.from({ length: 8 }, () => ({ name: 'page_view' })) },
      });
      expect(burst.json()).toMatchObject({ accepted: 5, filtered: 3 });
    } finally {
      await app2.close();
    }
  });

  it('keeps only cookieless counts without analytics consent', async () => {
    const res = await post(
      {
        consent: { analytics: false },
        events: [
          { name: 'page_view' },
          { name: 'page_view' },
          { name: 'view_item', items: [{ item_id: 'p1' }] },
          // What the tracker sends without consent: the name and the time, nothing else.
          { name: 'add_to_cart', timestamp: new Date().toISOString() },
          { name: 'search' },
        ],
      },
      { 'user-agent': PHONE },
    );
    expect(res.json()).toMatchObject({ accepted: 0, aggregated: 5, rejected: [] });
    await flush();
    expect(await t.ctx.db.selectFrom('analytics_events').selectAll().execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('analytics_sessions').selectAll().execute()).toEqual([]);
    const counts = await t.ctx.db
      .selectFrom('analytics_cookieless_counts')
      .select(['name', 'device_class', 'count'])
      .orderBy('name')
      .execute();
    expect(counts).toEqual([
      { name: 'add_to_cart', device_class: 'mobile', count: 1 },
      { name: 'page_view', device_class: 'mobile', count: 2 },
      { name: 'search', device_class: 'mobile', count: 1 },
      { name: 'view_item', device_class: 'mobile', count: 1 },
    ]);
    // With consent the same bare events are incomplete and refused.
    const consented = await post({
      visitor_id: 'vis_b',
      events: [{ name: 'add_to_cart' }, { name: 'search' }],
    });
    expect(consented.json().rejected.map((r: { reason: string }) => r.reason)).toEqual([
      'invalid_items',
      'invalid_field',
    ]);
  });

  it('checks the publishable key through the resolver', async () => {
    setPublishableKeyResolver({
      resolve: async (key) => (key === undefined || key === 'pk_web' ? { channel_id: 'sc_web' } : null),
    });
    const ok = await post(
      { visitor_id: 'v', events: [{ name: 'page_view' }] },
      { 'user-agent': BROWSER, 'x-publishable-key': 'pk_web' },
    );
    expect(ok.statusCode).toBe(202);
    const bad = await post(
      { visitor_id: 'v', events: [{ name: 'page_view' }] },
      { 'user-agent': BROWSER, 'x-publishable-key': 'pk_nope' },
    );
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('INVALID_PUBLISHABLE_KEY');
    await flush();
    const rows = await t.ctx.db.selectFrom('analytics_events').select('channel_id').execute();
    expect(rows).toEqual([{ channel_id: 'sc_web' }]);
  });

  it('writes buffered events when the app closes', async () => {
    await post({ visitor_id: 'v', events: [{ name: 'page_view' }, { name: 'page_view' }] });
    expect(await t.ctx.db.selectFrom('analytics_events').selectAll().execute()).toEqual([]);
    await t.app.close();
    const rows = await t.ctx.db.selectFrom('analytics_events').select('session_id').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.session_id).toBe(rows[1]!.session_id);
  });

  it('flushes on its own once N events are waiting', async () => {
    setAnalyticsSettings({ flushMaxEvents: 3 });
    await post({
      visitor_id: 'v',
      events: [{ name: 'page_view' }, { name: 'page_view' }, { name: 'page_view' }],
    });
    // Nobody calls flush: the buffer writes on its own because N events are waiting.
    let stored = 0;
    for (let i = 0; i < 100 && stored < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stored = (await t.ctx.db.selectFrom('analytics_events').selectAll().execute()).length;
    }
    expect(stored).toBe(3);
  });

  it('serves a tracker under 3 KB gzipped', async () => {
    const res = await t.app.inject({ url: '/tracker.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(gzipSync(res.body).length).toBeLessThan(3072);
    expect(res.body).toContain('sendBeacon');
    expect(() => new Function(res.body)).not.toThrow();
  });
});
