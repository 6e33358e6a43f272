import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availability,
  commit,
  createStockLocation,
  expireReservations,
  release,
  reserve,
  restock,
  setInventoryItem,
  setStockLevel,
} from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { ledgerMismatches } from './ledger-check.js';

describe('multi-location reservations', () => {
  let t: TestContext;
  let eu: string;
  let us: string;
  const loc: Record<string, string> = {};
  const stock = (variant_id: string, location: string, on_hand: number) =>
    inTransaction(t.ctx.db, (trx) =>
      setStockLevel(trx, {
        variant_id,
        location_id: loc[location]!,
        on_hand,
        reason: 'count',
        actor: 'test',
      }),
    );
  const reserveLines = (
    ref: string,
    lines: Array<[string, number]>,
    region = eu,
    expires_at: string | null = null,
  ) =>
    inTransaction(t.ctx.db, (trx) =>
      reserve(trx, {
        lines: lines.map(([variant_id, quantity]) => ({ variant_id, quantity })),
        region_id: region,
        reference_type: 'cart',
        reference_id: ref,
        expires_at,
        actor: 'test',
        reason: 'checkout',
      }),
    );

  beforeAll(async () => {
    t = await createTestContext();
    await inTransaction(t.ctx.db, async (trx) => {
      eu = (
        await createRegion(trx, {
          name: 'EU',
          currency_code: 'eur',
          tax_inclusive: true,
          default_tax_rate_bp: 2100,
          countries: ['de'],
        })
      ).id;
      us = (
        await createRegion(trx, {
          name: 'US',
          currency_code: 'usd',
          tax_inclusive: false,
          default_tax_rate_bp: 0,
          countries: ['us'],
        })
      ).id;
      for (const [code, regions, priority] of [
        ['a', [eu], 1],
        ['b', [eu], 2],
        ['c', [eu], 3],
        ['ny', [us], 1],
      ] as const)
        loc[code] = (
          await createStockLocation(trx, { name: code, code, priority, region_ids: [...regions] })
        ).id;
    });
  });
  afterAll(() => t.close());

  it('reserves a cart from the one location that holds all of it', async () => {
    await stock('v1', 'a', 10);
    await stock('v2', 'a', 0);
    await stock('v1', 'b', 2);
    await stock('v2', 'b', 2);
    const result = await reserveLines('one_place', [
      ['v1', 2],
      ['v2', 1],
    ]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(new Set(result.reservations.map((r) => r.location_id))).toEqual(new Set([loc.b]));
    await inTransaction(t.ctx.db, (trx) =>
      release(trx, { reference_type: 'cart', reference_id: 'one_place', actor: 'test', reason: 'x' }),
    );
  });

  it('only counts locations serving the region, and a shortage writes nothing', async () => {
    await stock('v3', 'ny', 50);
    await stock('v3', 'c', 1);
    const before = await t.ctx.db.selectFrom('inventory_movements').select('id').execute();
    const result = await reserveLines('short', [['v3', 2]]);
    expect(result).toEqual({ ok: false, shortages: [{ variant_id: 'v3', requested: 2, available: 1 }] });
    expect(await t.ctx.db.selectFrom('inventory_movements').select('id').execute()).toHaveLength(
      before.length,
    );
    expect((await availability(t.ctx.db, { variant_ids: ['v3'], region_id: us })).get('v3')!.available).toBe(
      50,
    );
  });

  it('concurrent multi-line, multi-location reservations never over-commit any location', async () => {
    const variants = ['m1', 'm2', 'm3'];
    for (const v of variants) for (const [i, l] of ['a', 'b', 'c'].entries()) await stock(v, l, 3 + i * 2);
    const results = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        reserveLines(`multi_${i}`, [
          [variants[i % 3]!, 1 + (i % 4)],
          [variants[(i + 1) % 3]!, 1 + (i % 2)],
        ]),
      ),
    );
    const levels = await t.ctx.db
      .selectFrom('inventory_levels')
      .selectAll()
      .where('variant_id', 'in', variants)
      .execute();
    for (const level of levels) {
      expect(level.reserved).toBeLessThanOrEqual(level.on_hand);
      expect(level.reserved).toBeGreaterThanOrEqual(0);
    }
    const reservedTotal = levels.reduce((s, l) => s + l.reserved, 0);
    const granted = results.flatMap((r) => (r.ok ? r.reservations : [])).reduce((s, r) => s + r.quantity, 0);
    expect(reservedTotal).toBe(granted);
    expect(results.some((r) => r.ok)).toBe(true);
    expect(results.some((r) => !r.ok)).toBe(true);
    const avail = await availability(t.ctx.db, { variant_ids: variants, region_id: eu });
    for (const v of variants) expect(avail.get(v)!.available).toBeGreaterThanOrEqual(0);
    expect(await ledgerMismatches(t.ctx.db)).toEqual([]);
  });

  it('commit takes stock off the shelf, restock puts it back once, release after commit does nothing', async () => {
    await stock('v4', 'a', 5);
    const result = await reserveLines('order_1', [['v4', 3]]);
    expect(result.ok).toBe(true);
    const ref = { reference_type: 'cart', reference_id: 'order_1', actor: 'test' };
    expect((await inTransaction(t.ctx.db, (trx) => commit(trx, ref))).committed).toEqual([
      { variant_id: 'v4', location_id: loc.a, quantity: 3 },
    ]);
    expect((await inTransaction(t.ctx.db, (trx) => commit(trx, ref))).committed).toEqual([]);
    expect(await inTransaction(t.ctx.db, (trx) => release(trx, { ...ref, reason: 'late' }))).toEqual({
      released: 0,
    });
    let level = await t.ctx.db
      .selectFrom('inventory_levels')
      .selectAll()
      .where('variant_id', '=', 'v4')
      .executeTakeFirstOrThrow();
    expect([level.on_hand, level.reserved]).toEqual([2, 0]);
    await inTransaction(t.ctx.db, (trx) =>
      restock(trx, { ...ref, reason: 'returned', lines: [{ variant_id: 'v4', quantity: 1 }] }),
    );
    await inTransaction(t.ctx.db, (trx) => restock(trx, { ...ref, reason: 'canceled' }));
    await inTransaction(t.ctx.db, (trx) => restock(trx, { ...ref, reason: 'canceled again' }));
    level = await t.ctx.db
      .selectFrom('inventory_levels')
      .selectAll()
      .where('variant_id', '=', 'v4')
      .executeTakeFirstOrThrow();
    expect(level.on_hand).toBe(5);
    expect(await ledgerMismatches(t.ctx.db)).toEqual([]);
  });

  it('backorder and untracked variants are accepted beyond stock; others are not', async () => {
    await stock('bo', 'a', 2);
    await inTransaction(t.ctx.db, async (trx) => {
      await setInventoryItem(trx, 'bo', { allow_backorder: true });
      await setInventoryItem(trx, 'free', { tracked: false });
    });
    const result = await reserveLines('bo_cart', [
      ['bo', 5],
      ['free', 100],
    ]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.reservations.map((r) => [r.variant_id, r.quantity])).toEqual([['bo', 2]]);
    expect(result.backordered).toEqual([{ variant_id: 'bo', quantity: 3 }]);
    const avail = await availability(t.ctx.db, { variant_ids: ['bo', 'free', 'nothing'], region_id: eu });
    expect(avail.get('bo')).toEqual({ available: 0, backorder: true, preorder: false, tracked: true });
    expect(avail.get('free')).toEqual({ available: 0, backorder: false, preorder: false, tracked: false });
    expect(avail.get('nothing')).toEqual({ available: 0, backorder: false, preorder: false, tracked: true });
  });

  it('expired reservations are released by the job, with a ledger row', async () => {
    await stock('v5', 'b', 4);
    const past = new Date(Date.now() - 1000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await reserveLines('exp_1', [['v5', 3]], eu, past)).ok).toBe(true);
    expect((await reserveLines('exp_2', [['v5', 1]], eu, future)).ok).toBe(true);
    expect((await availability(t.ctx.db, { variant_ids: ['v5'], region_id: eu })).get('v5')!.available).toBe(
      0,
    );
    expect(await expireReservations(t.ctx.db)).toBe(1);
    expect(await expireReservations(t.ctx.db)).toBe(0);
    expect((await availability(t.ctx.db, { variant_ids: ['v5'], region_id: eu })).get('v5')!.available).toBe(
      3,
    );
    const statuses = await t.ctx.db
      .selectFrom('inventory_reservations')
      .select(['reference_id', 'status'])
      .where('variant_id', '=', 'v5')
      .orderBy('reference_id')
      .execute();
    expect(statuses).toEqual([
      { reference_id: 'exp_1', status: 'expired' },
      { reference_id: 'exp_2', status: 'active' },
    ]);
    const kinds = await t.ctx.db
      .selectFrom('inventory_movements')
      .select('kind')
      .where('variant_id', '=', 'v5')
      .execute();
    expect(kinds.map((k) => k.kind)).toContain('expire');
    expect(await ledgerMismatches(t.ctx.db)).toEqual([]);
  });

  it('emits low-stock once when availability crosses the threshold, and cleared when it recovers', async () => {
    await inTransaction(t.ctx.db, (trx) => setInventoryItem(trx, 'v6', { low_stock_threshold: 3 }));
    await stock('v6', 'c', 6);
    const events = async () =>
      (
        await t.ctx.db
          .selectFrom('outbox_events')
          .select(['topic', 'payload'])
          .where('topic', 'like', 'inventory.low_stock%')
          .orderBy('id')
          .execute()
      )
        .map((e) => ({ topic: e.topic, payload: JSON.parse(e.payload) }))
        .filter((e) => e.payload.variant_id === 'v6');
    // Stocking 0 → 6 itself crossed upwards.
    expect((await events()).map((e) => e.topic)).toEqual(['inventory.low_stock_cleared']);
    expect(await reserveLines('ls_1', [['v6', 2]])).toMatchObject({ ok: true }); // 4 left: above
    expect(await events()).toHaveLength(1);
    expect(await reserveLines('ls_2', [['v6', 1]])).toMatchObject({ ok: true }); // 3 left: crosses
    expect(await reserveLines('ls_3', [['v6', 1]])).toMatchObject({ ok: true }); // 2 left: already low
    expect((await events()).slice(1).map((e) => [e.topic, e.payload.available])).toEqual([
      ['inventory.low_stock', 3],
    ]);
    await stock('v6', 'c', 20);
    expect((await events()).slice(1).map((e) => e.topic)).toEqual([
      'inventory.low_stock',
      'inventory.low_stock_cleared',
    ]);
  });
});
