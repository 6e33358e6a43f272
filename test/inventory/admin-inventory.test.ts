import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserve } from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';
import { owner, staffByHeader } from '../regions/staff.js';
import { ledgerMismatches } from './ledger-check.js';

describe('admin inventory API', () => {
  let t: TestApp;
  let region: string;
  let main: string;
  let backup: string;
  // Real variants: inventory refuses ids that name no variant.
  let v1: string;
  let v2: string;
  const unknown = 'variant_01ARZ3NDEKTSV4RRFFQ69G5FAV';
  beforeAll(async () => {
    t = await createTestApp();
    t.ctx.auth = staffByHeader;
    region = (
      await inTransaction(t.ctx.db, (trx) =>
        createRegion(trx, {
          name: 'EU',
          currency_code: 'eur',
          tax_inclusive: true,
          default_tax_rate_bp: 2000,
          countries: ['fr'],
        }),
      )
    ).id;
    [v1, v2] = (await Promise.all(
      ['ONE', 'OTHER'].map(async (sku) => {
        const res = await call('POST', '/admin/products', { title: sku, variants: [{ sku }] });
        expect(res.statusCode, res.body).toBe(201);
        return res.json().variants[0].id as string;
      }),
    )) as [string, string];
  });
  afterAll(() => t.close());

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: owner, ...(payload === undefined ? {} : { payload }) });

  it('manages stock locations and the regions they serve', async () => {
    const res = await call('POST', '/admin/stock-locations', {
      name: 'Main',
      code: 'main',
      priority: 1,
      region_ids: [region],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: 'main', active: true, region_ids: [region] });
    main = res.json().id;
    backup = (
      await call('POST', '/admin/stock-locations', { name: 'Backup', code: 'backup', region_ids: [region] })
    ).json().id;
    expect(
      (await call('POST', '/admin/stock-locations', { name: 'Dup', code: 'main' })).json().error.code,
    ).toBe('STOCK_LOCATION_CODE_TAKEN');
    expect(
      (
        await call('POST', '/admin/stock-locations', { name: 'X', code: 'x', region_ids: ['reg_nope'] })
      ).json().error.code,
    ).toBe('REGION_NOT_FOUND');
    expect((await call('GET', '/admin/stock-locations')).json().data).toHaveLength(2);
    const patched = await call('PATCH', `/admin/stock-locations/${backup}`, { priority: 5 });
    expect(patched.json().priority).toBe(5);
  });

  it('sets levels, adjusts with reason and actor, and lists the movement history', async () => {
    const set = await call('PUT', '/admin/inventory/levels', {
      variant_id: v1,
      location_id: main,
      on_hand: 10,
      reason: 'stocktake',
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ on_hand: 10, reserved: 0, available: 10 });
    const adj = await call('POST', '/admin/inventory/adjustments', {
      variant_id: v1,
      location_id: main,
      delta: -3,
      reason: 'damaged',
    });
    expect(adj.statusCode).toBe(201);
    expect(adj.json()).toMatchObject({ on_hand: 7, available: 7 });
    await call('PUT', '/admin/inventory/levels', {
      variant_id: v1,
      location_id: backup,
      on_hand: 4,
      reason: 'stocktake',
    });

    const levels = await call('GET', `/admin/inventory/levels?variant_id=${v1}&limit=1`);
    expect(levels.json().data).toHaveLength(1);
    const next = await call(
      'GET',
      `/admin/inventory/levels?variant_id=${v1}&limit=1&cursor=${levels.json().next_cursor}`,
    );
    expect(next.json().data).toHaveLength(1);
    expect(next.json().next_cursor).toBeNull();
    expect(new Set([levels.json().data[0].location_id, next.json().data[0].location_id])).toEqual(
      new Set([main, backup]),
    );

    const history = await call('GET', `/admin/inventory/movements?variant_id=${v1}&location_id=${main}`);
    expect(
      history
        .json()
        .data.map((m: { kind: string; on_hand_delta: number; reason: string; actor: string }) => [
          m.kind,
          m.on_hand_delta,
          m.reason,
          m.actor,
        ]),
    ).toEqual([
      ['adjust', -3, 'damaged', 'staff:usr_test'],
      ['adjust', 10, 'stocktake', 'staff:usr_test'],
    ]);
    const avail = await t.app.inject({ url: `/store/availability?region_id=${region}&variant_ids=${v1}` });
    expect(avail.json().data[0]).toMatchObject({ variant_id: v1, available: 11, in_stock: true });
  });

  it('refuses to adjust below what is reserved, and bad payloads, writing nothing', async () => {
    await inTransaction(t.ctx.db, (trx) =>
      reserve(trx, {
        lines: [{ variant_id: v1, quantity: 6 }],
        region_id: region,
        reference_type: 'cart',
        reference_id: 'cart_1',
        expires_at: null,
        actor: 'test',
        reason: 'checkout',
      }),
    );
    const before = await t.ctx.db.selectFrom('inventory_movements').select('id').execute();
    const cases: Array<[string, string, object, number, string]> = [
      [
        'POST',
        '/admin/inventory/adjustments',
        { variant_id: v1, location_id: main, delta: -2, reason: 'oops' },
        409,
        'INSUFFICIENT_STOCK',
      ],
      [
        'PUT',
        '/admin/inventory/levels',
        { variant_id: v1, location_id: main, on_hand: 5, reason: 'count' },
        409,
        'INSUFFICIENT_STOCK',
      ],
      [
        'PUT',
        '/admin/inventory/levels',
        { variant_id: v1, location_id: main, on_hand: -1, reason: 'count' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/admin/inventory/adjustments',
        { variant_id: v1, location_id: main, delta: 0, reason: 'noop' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/admin/inventory/adjustments',
        { variant_id: v1, location_id: main, delta: 1.5, reason: 'x' },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/admin/inventory/adjustments',
        { variant_id: v1, location_id: main, delta: 1 },
        400,
        'VALIDATION_FAILED',
      ],
      [
        'POST',
        '/admin/inventory/adjustments',
        { variant_id: v1, location_id: 'sloc_nope', delta: 1, reason: 'x' },
        404,
        'STOCK_LOCATION_NOT_FOUND',
      ],
      [
        'POST',
        '/admin/inventory/adjustments',
        { variant_id: unknown, location_id: main, delta: 1, reason: 'x' },
        404,
        'VARIANT_NOT_FOUND',
      ],
      [
        'PUT',
        '/admin/inventory/levels',
        { variant_id: unknown, location_id: main, on_hand: 5, reason: 'count' },
        404,
        'VARIANT_NOT_FOUND',
      ],
      ['PUT', `/admin/inventory/items/${unknown}`, { low_stock_threshold: 2 }, 404, 'VARIANT_NOT_FOUND'],
      ['GET', `/admin/inventory/items/${unknown}`, {}, 404, 'VARIANT_NOT_FOUND'],
      [
        'GET',
        `/store/availability?region_id=${region}&variant_ids=${v1}&variant_ids=${unknown}`,
        {},
        404,
        'VARIANT_NOT_FOUND',
      ],
    ];
    const items = await t.ctx.db.selectFrom('inventory_items').selectAll().orderBy('variant_id').execute();
    const levels = await t.ctx.db.selectFrom('inventory_levels').selectAll().orderBy('variant_id').execute();
    for (const [method, url, payload, status, code] of cases) {
      const res = await call(method as 'POST', url, method === 'GET' ? undefined : payload);
      expect([res.statusCode, res.json().error.code], `${url} ${JSON.stringify(payload)}`).toEqual([
        status,
        code,
      ]);
      if (code === 'VARIANT_NOT_FOUND') expect(res.json().error.details).toEqual([{ variant_id: unknown }]);
    }
    expect(await t.ctx.db.selectFrom('inventory_movements').select('id').execute()).toHaveLength(
      before.length,
    );
    expect(await t.ctx.db.selectFrom('inventory_items').selectAll().orderBy('variant_id').execute()).toEqual(
      items,
    );
    expect(await t.ctx.db.selectFrom('inventory_levels').selectAll().orderBy('variant_id').execute()).toEqual(
      levels,
    );
    expect(await ledgerMismatches(t.ctx.db)).toEqual([]);
  });

  it('lists low stock using the per-variant threshold', async () => {
    const item = await call('PUT', `/admin/inventory/items/${v1}`, {
      low_stock_threshold: 2,
      allow_preorder: true,
    });
    expect(item.json()).toEqual({
      variant_id: v1,
      tracked: true,
      allow_backorder: false,
      allow_preorder: true,
      low_stock_threshold: 2,
    });
    const low = await call('GET', '/admin/inventory/low-stock');
    // main: 7 on hand − 6 reserved = 1 ≤ 2; backup: 4 > 2
    expect(low.json().data).toEqual([
      expect.objectContaining({
        variant_id: v1,
        location_id: main,
        available: 1,
        low_stock_threshold: 2,
      }),
    ]);
    expect((await call('GET', `/admin/inventory/low-stock?location_id=${backup}`)).json().data).toEqual([]);
    expect((await call('GET', `/admin/inventory/items/${v2}`)).json()).toMatchObject({
      tracked: true,
      low_stock_threshold: null,
    });
  });

  it('requires inventory permissions', async () => {
    expect((await t.app.inject({ url: '/admin/inventory/levels' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'POST', url: '/admin/inventory/adjustments', payload: {} })).statusCode,
    ).toBe(401);
  });
});
