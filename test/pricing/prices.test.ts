import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextPriceChangeAt, resolvePrices } from '../../src/modules/pricing/index.js';
import { createRegion, createTaxClass } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';
import { owner, staffByHeader } from '../regions/staff.js';

describe('prices and price lists', () => {
  let t: TestApp;
  let pl: string;
  let us: string;
  let jp: string;
  let kw: string;
  let reduced: string;
  /** Real variants (no prices yet): pricing refuses ids that name no variant. */
  const v = { a: '', b: '', s: '', g: '' };
  const hour = 3_600_000;
  const iso = (offset: number) => new Date(Date.now() + offset).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    t.ctx.auth = staffByHeader;
    await inTransaction(t.ctx.db, async (trx) => {
      reduced = (await createTaxClass(trx, { code: 'reduced', name: 'Reduced' })).id;
      const make = (
        name: string,
        currency_code: string,
        tax_inclusive: boolean,
        rate: number,
        country: string,
      ) =>
        createRegion(trx, {
          name,
          currency_code,
          tax_inclusive,
          default_tax_rate_bp: rate,
          countries: [country],
          tax_overrides: [{ tax_class_id: reduced, rate_bp: 800 }],
        });
      pl = (await make('PL', 'pln', true, 2300, 'pl')).id;
      us = (await make('US', 'usd', false, 725, 'us')).id;
      jp = (await make('JP', 'jpy', true, 1000, 'jp')).id;
      kw = (await make('KW', 'kwd', false, 500, 'kw')).id;
    });
    for (const key of Object.keys(v) as Array<keyof typeof v>) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/products',
        headers: owner,
        payload: { title: `Priced ${key}`, variants: [{ sku: `PRICED-${key}` }] },
      });
      expect(res.statusCode, res.body).toBe(201);
      v[key] = res.json().variants[0].id;
    }
  });
  afterAll(() => t.close());

  const put = (variant: string, prices: unknown) =>
    t.app.inject({
      method: 'PUT',
      url: `/admin/variants/${variant}/prices`,
      headers: owner,
      payload: { prices },
    });
  const store = async (region: string, variants: string[], quantity?: number) => {
    const q = new URLSearchParams({ region_id: region, ...(quantity ? { quantity: String(quantity) } : {}) });
    for (const v of variants) q.append('variant_ids', v);
    const res = await t.app.inject({ url: `/store/prices?${q}` });
    expect(res.statusCode).toBe(200);
    return Object.fromEntries(res.json().data.map((p: { variant_id: string }) => [p.variant_id, p]));
  };
  const priceRows = async () =>
    (
      await t.ctx.db
        .selectFrom('variant_prices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('stores one price per currency with quantity tiers and resolves it with tax per region', async () => {
    const res = await put(v.a, [
      { currency_code: 'PLN', amount: 12300 },
      { currency_code: 'pln', amount: 11000, min_quantity: 10 },
      { currency_code: 'usd', amount: 1999 },
      { currency_code: 'jpy', amount: 1000 },
      { currency_code: 'kwd', amount: 1250 },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json().prices).toHaveLength(5);
    expect((await store(pl, [v.a]))[v.a]).toMatchObject({
      currency_code: 'pln',
      amount: 12300,
      original_amount: 12300,
      tax_inclusive: true,
      tax_rate_bp: 2300,
      amount_excl_tax: 10000,
      tax_amount: 2300,
      amount_incl_tax: 12300,
      price_list_id: null,
    });
    expect((await store(pl, [v.a], 10))[v.a].amount).toBe(11000);
    expect((await store(us, [v.a]))[v.a]).toMatchObject({
      amount: 1999,
      tax_amount: 145,
      amount_incl_tax: 2144,
    });
    expect((await store(jp, [v.a]))[v.a]).toMatchObject({
      amount: 1000,
      tax_amount: 91,
      amount_excl_tax: 909,
    });
    expect((await store(kw, [v.a]))[v.a]).toMatchObject({
      amount: 1250,
      tax_amount: 63,
      amount_incl_tax: 1313,
    });
    const withClass = await resolvePrices(t.ctx.db, {
      variant_ids: [v.a],
      region_id: pl,
      tax_class_ids: { [v.a]: reduced },
    });
    expect(withClass.get(v.a)).toMatchObject({
      tax_rate_bp: 800,
      tax_amount: 911,
      amount_excl_tax: 11389,
    });
  });

  it('answers unknown currency, negative price and inconsistent sets with 4xx and writes nothing', async () => {
    await put(v.b, [{ currency_code: 'eur', amount: 500 }]);
    const before = await priceRows();
    const cases: Array<[object, number, string]> = [
      [[{ currency_code: 'xyz', amount: 100 }], 400, 'UNKNOWN_CURRENCY'],
      [[{ currency_code: 'eur', amount: -1 }], 400, 'VALIDATION_FAILED'],
      [[{ currency_code: 'eur', amount: 1.5 }], 400, 'VALIDATION_FAILED'],
      [[{ currency_code: 'eur', amount: 'ten' }], 400, 'VALIDATION_FAILED'],
      [
        [
          { currency_code: 'eur', amount: 100 },
          { currency_code: 'EUR', amount: 200 },
        ],
        400,
        'INVALID_PRICE',
      ],
      [[{ currency_code: 'eur', amount: 100, min_quantity: 5 }], 400, 'INVALID_PRICE'],
      [[{ currency_code: 'eur', amount: 100, min_quantity: 0 }], 400, 'VALIDATION_FAILED'],
    ];
    for (const [prices, status, code] of cases) {
      const res = await put(v.b, prices);
      expect([res.statusCode, res.json().error.code], JSON.stringify(prices)).toEqual([status, code]);
    }
    expect(await priceRows()).toBe(before);
    expect(
      (await t.app.inject({ url: `/admin/variants/${v.b}/prices`, headers: owner })).json().prices,
    ).toEqual([{ currency_code: 'eur', amount: 500, min_quantity: 1 }]);
  });

  it('applies a sale only inside its dates and shows the original price', async () => {
    await put(v.s, [{ currency_code: 'pln', amount: 10000 }]);
    const create = (name: string, starts_at: string | null, ends_at: string | null, amount: number) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/price-lists',
        headers: owner,
        payload: {
          name,
          type: 'sale',
          starts_at,
          ends_at,
          prices: [{ variant_id: v.s, currency_code: 'pln', amount }],
        },
      });
    const nowEnds = new Date(Date.now() + hour).toISOString();
    const now = await create('Now', iso(-hour), nowEnds, 7000);
    expect(now.statusCode).toBe(201);
    expect((await create('Later', iso(2 * hour), iso(3 * hour), 5000)).statusCode).toBe(201);
    expect((await create('Over', iso(-3 * hour), iso(-2 * hour), 4000)).statusCode).toBe(201);
    expect((await store(pl, [v.s]))[v.s]).toMatchObject({
      amount: 7000,
      original_amount: 10000,
      price_list_id: now.json().id,
      original_amount_incl_tax: 10000,
    });
    const later = await resolvePrices(t.ctx.db, {
      variant_ids: [v.s],
      region_id: pl,
      at: iso(2.5 * hour),
    });
    expect(later.get(v.s)).toMatchObject({ amount: 5000, original_amount: 10000 });
    const after = await resolvePrices(t.ctx.db, { variant_ids: [v.s], region_id: pl, at: iso(4 * hour) });
    expect(after.get(v.s)).toMatchObject({ amount: 10000, original_amount: 10000, price_list_id: null });
    expect(await nextPriceChangeAt(t.ctx.db)).toBe(nowEnds);

    const draft = await t.app.inject({
      method: 'PATCH',
      url: `/admin/price-lists/${now.json().id}`,
      headers: owner,
      payload: { status: 'draft' },
    });
    expect(draft.statusCode).toBe(200);
    expect((await store(pl, [v.s]))[v.s].amount).toBe(10000);
  });

  it('gives customer-group lists only to members, with tiers inside the list', async () => {
    await put(v.g, [{ currency_code: 'usd', amount: 1000 }]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/price-lists',
      headers: owner,
      payload: {
        name: 'Wholesale',
        type: 'override',
        customer_group_ids: ['cgrp_wholesale'],
        prices: [
          { variant_id: v.g, currency_code: 'usd', amount: 800 },
          { variant_id: v.g, currency_code: 'usd', amount: 600, min_quantity: 100 },
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    const resolve = (groups: string[], quantity = 1) =>
      resolvePrices(t.ctx.db, {
        variant_ids: [v.g],
        region_id: us,
        customer_group_ids: groups,
        quantity,
      });
    expect((await resolve([])).get(v.g)).toMatchObject({ amount: 1000, price_list_id: null });
    expect((await resolve(['cgrp_other'])).get(v.g)!.amount).toBe(1000);
    expect((await resolve(['cgrp_other', 'cgrp_wholesale'])).get(v.g)).toMatchObject({
      amount: 800,
      original_amount: 800,
      price_list_id: res.json().id,
    });
    expect((await resolve(['cgrp_wholesale'], 100)).get(v.g)!.amount).toBe(600);
  });

  it('refuses a price list with a bad window, unknown currency or negative price, writing nothing', async () => {
    const before = await t.ctx.db.selectFrom('price_lists').select('id').execute();
    const cases: Array<[object, string]> = [
      [{ name: 'x', type: 'sale', starts_at: iso(hour), ends_at: iso(-hour) }, 'INVALID_DATE_RANGE'],
      [
        { name: 'x', type: 'sale', prices: [{ variant_id: v.a, currency_code: 'abc', amount: 1 }] },
        'UNKNOWN_CURRENCY',
      ],
      [
        { name: 'x', type: 'sale', prices: [{ variant_id: v.a, currency_code: 'eur', amount: -5 }] },
        'VALIDATION_FAILED',
      ],
      [{ name: 'x', type: 'clearance' }, 'VALIDATION_FAILED'],
      [{ name: 'x', type: 'sale', starts_at: 'yesterday' }, 'VALIDATION_FAILED'],
    ];
    for (const [payload, code] of cases) {
      const res = await t.app.inject({ method: 'POST', url: '/admin/price-lists', headers: owner, payload });
      expect([res.statusCode, res.json().error.code], JSON.stringify(payload)).toEqual([400, code]);
    }
    expect(await t.ctx.db.selectFrom('price_lists').select('id').execute()).toHaveLength(before.length);
    const missing = await t.app.inject({ url: '/admin/price-lists/plist_nope', headers: owner });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'PRICE_LIST_NOT_FOUND']);
  });

  it('answers ids that name no variant with 404 VARIANT_NOT_FOUND and writes nothing', async () => {
    const unknown = 'variant_01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const list = await t.app.inject({
      method: 'POST',
      url: '/admin/price-lists',
      headers: owner,
      payload: {
        name: 'Known',
        type: 'sale',
        prices: [{ variant_id: v.a, currency_code: 'pln', amount: 9000 }],
      },
    });
    expect(list.statusCode).toBe(201);
    const listId = list.json().id as string;
    const tables = async () =>
      JSON.stringify([
        await t.ctx.db
          .selectFrom('variant_prices')
          .selectAll()
          .orderBy('variant_id')
          .orderBy('currency_code')
          .orderBy('min_quantity')
          .execute(),
        await t.ctx.db.selectFrom('price_lists').selectAll().orderBy('id').execute(),
        await t.ctx.db
          .selectFrom('price_list_prices')
          .selectAll()
          .orderBy('price_list_id')
          .orderBy('variant_id')
          .orderBy('currency_code')
          .orderBy('min_quantity')
          .execute(),
      ]);
    const before = await tables();
    const price = { variant_id: unknown, currency_code: 'pln', amount: 100 };
    const cases: Array<{ method: 'GET' | 'PUT' | 'POST' | 'PATCH'; url: string; payload?: object }> = [
      { method: 'GET', url: `/admin/variants/${unknown}/prices` },
      {
        method: 'PUT',
        url: `/admin/variants/${unknown}/prices`,
        payload: { prices: [{ currency_code: 'pln', amount: 100 }] },
      },
      { method: 'POST', url: '/admin/price-lists', payload: { name: 'x', type: 'sale', prices: [price] } },
      { method: 'PATCH', url: `/admin/price-lists/${listId}`, payload: { name: 'renamed', prices: [price] } },
      {
        method: 'POST',
        url: `/admin/price-lists/${listId}/prices`,
        payload: { prices: [{ ...price, variant_id: v.a }, price] },
      },
      { method: 'GET', url: `/store/prices?region_id=${pl}&variant_ids=${v.a}&variant_ids=${unknown}` },
    ];
    for (const c of cases) {
      const res = await t.app.inject({ method: c.method, url: c.url, headers: owner, payload: c.payload });
      expect([res.statusCode, res.json().error?.code], `${c.method} ${c.url} ${res.body}`).toEqual([
        404,
        'VARIANT_NOT_FOUND',
      ]);
      expect(res.json().error.details).toEqual([{ variant_id: unknown }]);
    }
    expect(await tables()).toBe(before);
  });
});
