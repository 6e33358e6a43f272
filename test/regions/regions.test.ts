import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regionForCountry } from '../../src/modules/regions/index.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';
import { owner, staffByHeader } from './staff.js';

describe('regions and tax classes API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.ctx.auth = staffByHeader;
  });
  afterAll(() => t.close());

  const post = (url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, payload, headers: owner });
  const count = async (table: 'regions' | 'region_countries' | 'tax_classes' | 'outbox_events') =>
    (
      await t.ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('requires staff permission for admin routes', async () => {
    expect((await t.app.inject({ url: '/admin/regions' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/admin/regions', payload: {} })).statusCode).toBe(401);
  });

  it('creates a region with countries, currency, tax mode and per-class overrides; the store reads it', async () => {
    const reduced = await post('/admin/tax-classes', { code: 'reduced', name: 'Reduced' });
    expect(reduced.statusCode).toBe(201);
    const res = await post('/admin/regions', {
      name: 'Poland',
      currency_code: 'PLN',
      tax_inclusive: true,
      default_tax_rate_bp: 2300,
      countries: ['PL'],
      tax_overrides: [{ tax_class_id: reduced.json().id, rate_bp: 800 }],
    });
    expect(res.statusCode).toBe(201);
    const region = res.json();
    expect(region).toMatchObject({
      name: 'Poland',
      currency_code: 'pln',
      tax_inclusive: true,
      default_tax_rate_bp: 2300,
      countries: ['pl'],
      tax_overrides: [{ tax_class_id: reduced.json().id, rate_bp: 800 }],
    });
    expect(region.id).toMatch(/^reg_[0-9A-Z]{26}$/);
    const store = await t.app.inject({ url: '/store/regions' });
    expect(store.json().data.map((r: { id: string }) => r.id)).toContain(region.id);
    expect((await t.app.inject({ url: `/store/regions/${region.id}` })).json().currency_code).toBe('pln');
    expect((await regionForCountry(t.ctx.db, 'PL'))?.id).toBe(region.id);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/regions/${region.id}`,
      headers: owner,
      payload: { tax_inclusive: false, countries: ['pl', 'cz'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ tax_inclusive: false, countries: ['cz', 'pl'] });
  });

  it('refuses bad payloads with a 4xx and writes nothing', async () => {
    const before = await Promise.all([count('regions'), count('region_countries'), count('outbox_events')]);
    const base = {
      name: 'X',
      currency_code: 'eur',
      tax_inclusive: true,
      default_tax_rate_bp: 2000,
      countries: ['xx'],
    };
    const cases: Array<[object, number, string]> = [
      [{ ...base, currency_code: 'zzz' }, 400, 'UNKNOWN_CURRENCY'],
      [{ ...base, currency_code: 'euro' }, 400, 'VALIDATION_FAILED'],
      [{ ...base, default_tax_rate_bp: -1 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, default_tax_rate_bp: 10.5 }, 400, 'VALIDATION_FAILED'],
      [{ ...base, countries: ['pol'] }, 400, 'VALIDATION_FAILED'],
      [{ ...base, countries: ['pl'] }, 409, 'COUNTRY_IN_OTHER_REGION'],
      [{ ...base, tax_overrides: [{ tax_class_id: 'txc_missing', rate_bp: 500 }] }, 400, 'UNKNOWN_TAX_CLASS'],
      [{ ...base, extra: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await post('/admin/regions', payload);
      expect([res.statusCode, res.json().error.code], JSON.stringify(payload)).toEqual([status, code]);
    }
    expect(await Promise.all([count('regions'), count('region_countries'), count('outbox_events')])).toEqual(
      before,
    );
    expect((await t.app.inject({ url: '/store/regions/reg_nope' })).json().error.code).toBe(
      'REGION_NOT_FOUND',
    );
  });

  it('keeps tax class codes unique and deletes a class with its overrides', async () => {
    const a = await post('/admin/tax-classes', { code: 'books', name: 'Books' });
    expect((await post('/admin/tax-classes', { code: 'books', name: 'Again' })).json().error.code).toBe(
      'TAX_CLASS_CODE_TAKEN',
    );
    const region = await post('/admin/regions', {
      name: 'UK',
      currency_code: 'gbp',
      tax_inclusive: true,
      default_tax_rate_bp: 2000,
      countries: ['gb'],
      tax_overrides: [{ tax_class_id: a.json().id, rate_bp: 0 }],
    });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/admin/tax-classes/${a.json().id}`,
      headers: owner,
    });
    expect(del.statusCode).toBe(200);
    const after = await t.app.inject({ url: `/admin/regions/${region.json().id}`, headers: owner });
    expect(after.json().tax_overrides).toEqual([]);
  });

  it('lists the supported currencies with their minor units', async () => {
    const res = await t.app.inject({ url: '/store/currencies' });
    const byCode = Object.fromEntries(
      res.json().data.map((c: { code: string; minor_units: number }) => [c.code, c.minor_units]),
    );
    expect(byCode).toMatchObject({ eur: 2, pln: 2, usd: 2, gbp: 2, jpy: 0, kwd: 3 });
  });
});
