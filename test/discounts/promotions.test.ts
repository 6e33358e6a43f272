import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPromotions,
  createPromotion,
  customerUsage,
  promotionsForCart,
  redeemPromotions,
  releaseRedemptions,
} from '../../src/modules/discounts/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { type App, buildApp } from '../../src/platform/http/app.js';
import type { Authenticator } from '../../src/platform/http/auth.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

const staff: Authenticator = {
  authenticate: async (request) =>
    request.headers['x-test-principal'] === 'owner'
      ? { kind: 'staff', id: 'usr_owner', permissions: '*' }
      : null,
};

describe('promotions: admin API, redemption limits under concurrency', () => {
  let t: TestContext;
  let app: App;
  const owner = { 'x-test-principal': 'owner' };

  beforeAll(async () => {
    t = await createTestContext();
    t.ctx.auth = staff;
    app = await buildApp(t.ctx);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('creates, reads, lists and updates promotions', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/admin/promotions',
      headers: owner,
      payload: {
        code: 'welcome10',
        kind: 'percentage',
        value: 1000,
        conditions: { category_ids: ['cat_1'] },
      },
    });
    expect(created.statusCode).toBe(201);
    const promotion = created.json();
    expect(promotion).toMatchObject({
      code: 'WELCOME10',
      usage_count: 0,
      active: true,
      stacking: 'combinable',
    });
    const patched = await app.inject({
      method: 'PATCH',
      url: `/admin/promotions/${promotion.id}`,
      headers: owner,
      payload: { active: false, priority: 3 },
    });
    expect(patched.json()).toMatchObject({ active: false, priority: 3, code: 'WELCOME10' });
    const list = await app.inject({ url: '/admin/promotions?limit=1', headers: owner });
    expect(list.json().data).toHaveLength(1);
    expect((await app.inject({ url: `/admin/promotions/${promotion.id}`, headers: owner })).json().id).toBe(
      promotion.id,
    );
  });

  it('refuses bad promotions with 4xx and writes nothing', async () => {
    const before = await t.ctx.db.selectFrom('promotions').select('id').execute();
    const bad = [
      { kind: 'percentage', value: 20_000 },
      { kind: 'fixed', value: 500 },
      { kind: 'buy_x_get_y', value: 10_000 },
      { kind: 'percentage', value: 100, starts_at: '2026-12-01T00:00:00Z', ends_at: '2026-11-01T00:00:00Z' },
      { kind: 'percentage', value: 100, currency_code: 'xyz' },
      { kind: 'bogus', value: 1 },
      { code: 'WELCOME10', kind: 'percentage', value: 100 },
    ];
    for (const payload of bad) {
      const res = await app.inject({ method: 'POST', url: '/admin/promotions', headers: owner, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
    expect(await t.ctx.db.selectFrom('promotions').select('id').execute()).toHaveLength(before.length);
    expect((await app.inject({ url: '/admin/promotions' })).statusCode).toBe(401);
  });

  it('loads automatic promotions plus the cart codes in one query, for the engine', async () => {
    await createPromotion(t.ctx.db, {
      kind: 'free_shipping',
      value: 0,
      code: null,
      conditions: { min_subtotal: 5000 },
      currency_code: 'eur',
    });
    await createPromotion(t.ctx.db, { code: 'OTHER', kind: 'percentage', value: 500 });
    const loaded = await promotionsForCart(t.ctx.db, ['welcome10']);
    // WELCOME10 was deactivated above, OTHER is not on the cart
    expect(loaded.map((p) => p.kind)).toEqual(['free_shipping']);
    const result = applyPromotions(loaded, {
      lines: [
        {
          id: 'l1',
          variant_id: 'v',
          product_id: 'p',
          category_ids: [],
          collection_ids: [],
          quantity: 1,
          unit_price: 6000,
        },
      ],
      currency_code: 'eur',
      shipping_amount: 499,
      codes: [],
      customer_group_ids: [],
      customer_usage: new Map(),
      customer_known: false,
      at: new Date().toISOString(),
    });
    expect(result.shipping_discount).toBe(499);
  });

  it('never exceeds the total usage limit under 40 concurrent checkouts', async () => {
    const promotion = await createPromotion(t.ctx.db, {
      code: 'FIRST5',
      kind: 'percentage',
      value: 1000,
      usage_limit: 5,
    });
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        inTransaction(t.ctx.db, (trx) =>
          redeemPromotions(trx, {
            promotion_ids: [promotion.id],
            customer_key: `cus_${i}`,
            order_id: `ord_${i}`,
          }),
        ),
      ),
    );
    expect(attempts.filter((r) => r.ok)).toHaveLength(5);
    expect(attempts.filter((r) => !r.ok && r.reason === 'usage_limit_reached')).toHaveLength(35);
    const row = await t.ctx.db
      .selectFrom('promotions')
      .select('usage_count')
      .where('id', '=', promotion.id)
      .executeTakeFirstOrThrow();
    expect(row.usage_count).toBe(5);
    const usages = await t.ctx.db
      .selectFrom('promotion_usages')
      .select('id')
      .where('promotion_id', '=', promotion.id)
      .execute();
    expect(usages).toHaveLength(5);
  });

  it('never exceeds the per-customer limit when one customer checks out 20 times at once', async () => {
    const promotion = await createPromotion(t.ctx.db, {
      code: 'ONCE',
      kind: 'percentage',
      value: 1000,
      per_customer_limit: 1,
    });
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inTransaction(t.ctx.db, async (trx) => {
          const result = await redeemPromotions(trx, {
            promotion_ids: [promotion.id],
            customer_key: 'cus_same',
            order_id: `ord_once_${i}`,
          });
          // A failed redemption rolls the checkout back, as checkout does.
          if (!result.ok) throw Object.assign(new Error('rollback'), { result });
          return result;
        }).catch((error: { result?: unknown }) => error.result),
      ),
    );
    expect(attempts.filter((r) => (r as { ok: boolean }).ok)).toHaveLength(1);
    expect((await customerUsage(t.ctx.db, 'cus_same', [promotion.id])).get(promotion.id)).toBe(1);
    const row = await t.ctx.db
      .selectFrom('promotions')
      .select('usage_count')
      .where('id', '=', promotion.id)
      .executeTakeFirstOrThrow();
    expect(row.usage_count).toBe(1);

    const order = (
      await t.ctx.db
        .selectFrom('promotion_usages')
        .select('order_id')
        .where('promotion_id', '=', promotion.id)
        .executeTakeFirstOrThrow()
    ).order_id;
    await inTransaction(t.ctx.db, (trx) => releaseRedemptions(trx, order));
    await inTransaction(t.ctx.db, (trx) => releaseRedemptions(trx, order));
    expect((await customerUsage(t.ctx.db, 'cus_same', [promotion.id])).get(promotion.id)).toBeUndefined();
    const after = await t.ctx.db
      .selectFrom('promotions')
      .select('usage_count')
      .where('id', '=', promotion.id)
      .executeTakeFirstOrThrow();
    expect(after.usage_count).toBe(0);
  });
});
