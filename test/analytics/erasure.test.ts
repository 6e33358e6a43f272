import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { kpisWithComparison } from '../../src/modules/analytics/kpi.service.js';
import { parseRange } from '../../src/modules/analytics/report-range.js';
import { runRollup } from '../../src/modules/analytics/rollup.service.js';
import { erasureHandlers } from '../../src/modules/privacy/privacy.hooks.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { D, fixtureSettings, loadFixture, ZONE } from './fixture.js';

// cus_1 logged in as v7 and bought twice (ord_1, ord_3) in the hand-computed fixture.
describe('analytics on customer erasure', () => {
  let t: TestContext;
  let settings: AnalyticsSettings;
  const range = () => parseRange({ from: D, to: D, tz: ZONE }, settings);
  const tables = ['analytics_visitors', 'analytics_sessions', 'analytics_events', 'analytics_carts'] as const;

  beforeAll(async () => {
    settings = setAnalyticsSettings(fixtureSettings);
    t = await createTestContext();
    await loadFixture(t.ctx.db, settings);
    await runRollup(t.ctx.db, settings);
  });
  afterAll(async () => {
    await t.close();
  });

  async function links(customerId: string): Promise<number> {
    let n = 0;
    for (const table of [...tables, 'analytics_orders'] as const) {
      const row = await t.ctx.db
        .selectFrom(table)
        .select(sql<number>`count(*)`.as('n'))
        .where('customer_id', '=', customerId)
        .executeTakeFirstOrThrow();
      n += Number(row.n);
    }
    for (const table of ['analytics_orders', 'analytics_buyers'] as const) {
      const row = await t.ctx.db
        .selectFrom(table)
        .select(sql<number>`count(*)`.as('n'))
        .where('buyer_key', '=', customerId)
        .executeTakeFirstOrThrow();
      n += Number(row.n);
    }
    return n;
  }

  it('unlinks the customer from behaviour and orders and leaves every KPI as it was', async () => {
    const before = await kpisWithComparison(t.ctx.db, range(), settings);
    expect(before.current.repeat_purchase_rate).toBe(0.5);
    expect(await links('cus_1')).toBeGreaterThan(0);
    const handler = erasureHandlers().find((h) => h.name === 'analytics')!;
    await inTransaction(t.ctx.db, (trx) => handler.erase(trx, 'cus_1', {} as never));
    expect(await links('cus_1')).toBe(0);
    expect(await links('cus_2')).toBeGreaterThan(0);
    expect(await kpisWithComparison(t.ctx.db, range(), settings)).toEqual(before);
    await runRollup(t.ctx.db, settings);
    expect(await kpisWithComparison(t.ctx.db, range(), settings)).toEqual(before);
  });
});
