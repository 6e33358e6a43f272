import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromotion } from '../../src/modules/discounts/index.js';
import { ledgerMismatches } from '../inventory/ledger-check.js';
import { createStore, readyCart, type Store } from './store-fixture.js';

async function inChunks<T>(count: number, size: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) {
    out.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(size, count - start) }, (_, k) => work(start + k)),
      )),
    );
  }
  return out;
}

describe('checkout under concurrency', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createStore({ stock: 10, products: 2 });
  });
  afterAll(async () => {
    await store.close();
  });

  it('500 concurrent shoppers racing for 10 units make exactly 10 orders', async () => {
    const variant = store.variants[0]!;
    const carts = await inChunks(
      500,
      50,
      async (i) => (await readyCart(store, [{ variant, quantity: 1 }], `shopper${i}@example.com`)).id,
    );
    const replies = await Promise.all(
      carts.map((id) =>
        store.app.inject({
          method: 'POST',
          url: `/store/carts/${id}/complete`,
          headers: { 'idempotency-key': `race-${id}` },
        }),
      ),
    );
    const codes = replies.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(10);
    expect(new Set(replies.filter((r) => r.statusCode !== 200).map((r) => r.json().error.code))).toEqual(
      new Set(['INSUFFICIENT_STOCK']),
    );
    const orders = await store.ctx.db.selectFrom('orders').select(['id', 'number']).execute();
    expect(orders).toHaveLength(10);
    expect(new Set(orders.map((o) => o.number)).size).toBe(10);
    const level = await store.ctx.db
      .selectFrom('inventory_levels')
      .selectAll()
      .where('variant_id', '=', variant)
      .executeTakeFirstOrThrow();
    expect(level).toMatchObject({ on_hand: 0, reserved: 0 });
    expect(await ledgerMismatches(store.ctx.db)).toEqual([]);
    // The losers' carts are open again and usable.
    const open = await store.ctx.db.selectFrom('carts').select('id').where('status', '=', 'open').execute();
    expect(open.length).toBeGreaterThanOrEqual(490);
  });

  it('the same Idempotency-Key sent 50 times at once gives one order and one authorization', async () => {
    const variant = store.variants[1]!;
    const { id } = await readyCart(store, [{ variant, quantity: 2 }]);
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        store.app.inject({
          method: 'POST',
          url: `/store/carts/${id}/complete`,
          headers: { 'idempotency-key': 'one-key' },
          payload: {},
        }),
      ),
    );
    expect(new Set(replies.map((r) => r.statusCode))).toEqual(new Set([200]));
    expect(new Set(replies.map((r) => r.json().order.id)).size).toBe(1);
    expect(
      await store.ctx.db.selectFrom('orders').select('id').where('cart_id', '=', id).execute(),
    ).toHaveLength(1);
    const payments = await store.ctx.db
      .selectFrom('payments')
      .select(['id', 'status'])
      .where('reference_id', '=', id)
      .execute();
    expect(payments).toEqual([{ id: expect.any(String), status: 'authorized' }]);
    // Without the key, a concurrent duplicate still never makes a second order.
    const { id: other } = await readyCart(store, [{ variant, quantity: 1 }]);
    const bare = await Promise.all(
      Array.from({ length: 10 }, () =>
        store.app.inject({ method: 'POST', url: `/store/carts/${other}/complete` }),
      ),
    );
    expect(bare.every((r) => r.statusCode === 200 || r.json().error.code === 'CART_COMPLETING')).toBe(true);
    expect(
      await store.ctx.db.selectFrom('orders').select('id').where('cart_id', '=', other).execute(),
    ).toHaveLength(1);
  });

  it('a promotion limited to 3 uses is used at most 3 times by 7 concurrent checkouts', async () => {
    const variant = store.variants[1]!;
    await createPromotion(store.ctx.db, { code: 'FIRST3', kind: 'percentage', value: 1000, usage_limit: 3 });
    const carts = await inChunks(7, 7, async (i) => {
      const { id } = await readyCart(store, [{ variant, quantity: 1 }], `promo${i}@example.com`);
      const res = await store.app.inject({
        method: 'POST',
        url: `/store/carts/${id}/discounts`,
        payload: { code: 'first3' },
      });
      expect(res.statusCode).toBe(200);
      return id;
    });
    const replies = await Promise.all(
      carts.map((id) => store.app.inject({ method: 'POST', url: `/store/carts/${id}/complete` })),
    );
    const ok = replies.filter((r) => r.statusCode === 200);
    expect(ok).toHaveLength(3);
    for (const r of replies.filter((x) => x.statusCode !== 200)) {
      expect(['PROMOTION_LIMIT_REACHED', 'DISCOUNT_CODE_INVALID']).toContain(r.json().error.code);
    }
    const promo = await store.ctx.db
      .selectFrom('promotions')
      .select('usage_count')
      .where('code', '=', 'FIRST3')
      .executeTakeFirstOrThrow();
    expect(promo.usage_count).toBe(3);
    expect(await ledgerMismatches(store.ctx.db)).toEqual([]);
  });
});
