import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { writeEvents } from '../../src/modules/analytics/ingest.writer.js';
import { registeredJobs } from '../../src/platform/jobs/registry.js';
import { fixtureEvents } from '../analytics/fixture.js';
import {
  type CustomerCredentials,
  customerCredentials,
  type StaffCredentials,
  staffCredentials,
} from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const DAY = 86_400_000;
const settings = setAnalyticsSettings({ timeZone: 'UTC', currency: 'usd', retentionMonths: 13 });

/** A page view `days` ago by `visitor` (signed in as `customer`, if given). */
function viewed(days: number, visitor: string, customer: string | null = null, page = '/') {
  const at = new Date(Date.now() - days * DAY).toISOString();
  return {
    ...fixtureEvents()[0]!,
    name: 'page_view' as const,
    occurred_at: at,
    received_at: at,
    visitor_id: visitor,
    customer_id: customer,
    page,
    items: null,
  };
}

describe('privacy: event retention and the GDPR export', () => {
  let t: TestApp;
  let owner: StaffCredentials;
  let customer: CustomerCredentials;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await staffCredentials(t, 'owner');
    customer = await customerCredentials(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const visitorsLeft = async () =>
    (await t.ctx.db.selectFrom('analytics_events').select('visitor_id').orderBy('visitor_id').execute()).map(
      (e) => e.visitor_id,
    );
  const runRetention = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/privacy/retention/run',
      headers: owner.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { handlers: Record<string, number> };
  };

  it('purges behavioural events past event_retention_days (STRATUS_ANALYTICS_RETENTION_MONTHS until it is set)', async () => {
    await writeEvents(
      t.ctx.db,
      [viewed(500, 'v500'), viewed(90, 'v90'), viewed(40, 'v40'), viewed(3, 'v3')],
      settings,
    );
    // Not set: the analytics default (13 months) applies.
    expect((await runRetention()).handlers.analytics).toBeGreaterThanOrEqual(1);
    expect(await visitorsLeft()).toEqual(['v3', 'v40', 'v90']);

    const set = await t.app.inject({
      method: 'PATCH',
      url: '/admin/settings/security',
      headers: owner.headers,
      payload: { event_retention_days: 60 },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect((await runRetention()).handlers.analytics).toBeGreaterThanOrEqual(1);
    expect(await visitorsLeft()).toEqual(['v3', 'v40']);
    const sessions = await t.ctx.db.selectFrom('analytics_sessions').select('visitor_id').execute();
    expect(sessions.map((s) => s.visitor_id).sort()).toEqual(['v3', 'v40']);

    // Shorter than the environment's window: the setting wins both ways, and the analytics job too.
    await t.app.inject({
      method: 'PATCH',
      url: '/admin/settings/security',
      headers: owner.headers,
      payload: { event_retention_days: 30 },
    });
    const job = registeredJobs().find((j) => j.name === 'analytics.retention')!;
    await job.run({ db: t.ctx.db, logger: { info() {} } } as never);
    expect(await visitorsLeft()).toEqual(['v3']);
  });

  it('exports the customer’s consents and behavioural events, and no one else’s', async () => {
    const consent = await t.app.inject({
      method: 'POST',
      url: '/store/customers/me/consents',
      headers: customer.headers,
      payload: { purpose: 'analytics_cookies', granted: true, source: 'cookie_banner', text_version: 'v2' },
    });
    expect(consent.statusCode, consent.body).toBeLessThan(300);
    await writeEvents(
      t.ctx.db,
      [
        viewed(2, 'v-mine', customer.id, '/products/lamp'),
        viewed(1, 'v-mine', customer.id, '/cart'),
        viewed(1, 'v-other', null, '/products/secret'),
      ],
      settings,
    );
    for (const [url, headers] of [
      ['/store/customers/me/export', customer.headers],
      [`/admin/customers/${customer.id}/export`, owner.headers],
    ] as const) {
      const res = await t.app.inject({ url, headers });
      expect(res.statusCode, res.body).toBe(200);
      const data = res.json();
      expect(data.consents).toEqual([
        expect.objectContaining({
          purpose: 'analytics_cookies',
          granted: true,
          source: 'cookie_banner',
          text_version: 'v2',
        }),
      ]);
      expect(data.events.visitors.map((v: { visitor_id: string }) => v.visitor_id)).toEqual(['v-mine']);
      expect(data.events.sessions.length).toBeGreaterThanOrEqual(1);
      expect(data.events.events.map((e: { page: string }) => e.page)).toEqual(['/products/lamp', '/cart']);
      expect(res.body).not.toContain('v-other');
      expect(res.body).not.toContain('/products/secret');
    }
  });
});
