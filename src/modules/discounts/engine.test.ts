import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPromotions, type EngineInput, type EngineLine, type Promotion } from './engine.js';

const AT = '2026-11-26T12:00:00.000Z';

function promo(overrides: Partial<Promotion>): Promotion {
  return {
    id: 'promo_a',
    code: null,
    kind: 'percentage',
    value: 1000,
    currency_code: null,
    conditions: {},
    starts_at: null,
    ends_at: null,
    usage_limit: null,
    usage_count: 0,
    per_customer_limit: null,
    stacking: 'combinable',
    priority: 0,
    active: true,
    ...overrides,
  };
}

function line(id: string, unit_price: number, quantity = 1, extra: Partial<EngineLine> = {}): EngineLine {
  return {
    id,
    variant_id: `v_${id}`,
    product_id: `p_${id}`,
    category_ids: [],
    collection_ids: [],
    quantity,
    unit_price,
    ...extra,
  };
}

function input(lines: EngineLine[], extra: Partial<EngineInput> = {}): EngineInput {
  return {
    lines,
    currency_code: 'eur',
    shipping_amount: 500,
    codes: [],
    customer_group_ids: [],
    customer_usage: new Map(),
    customer_known: true,
    at: AT,
    ...extra,
  };
}

describe('discount engine', () => {
  it('takes a percentage off matching items, spread exactly over the lines', () => {
    const result = applyPromotions([promo({ value: 1500 })], input([line('a', 999), line('b', 333, 3)]));
    // 15 % of 1998 = 299.7 -> 300, split 999:999
    expect(result.items_discount).toBe(300);
    expect([...result.line_discounts.values()].reduce((a, b) => a + b)).toBe(300);
    expect(result.line_discounts.get('a')).toBe(150);
  });

  it('caps a fixed amount at what the matching items cost and checks its currency', () => {
    const fixed = promo({
      kind: 'fixed',
      value: 5000,
      currency_code: 'eur',
      conditions: { product_ids: ['p_a'] },
    });
    expect(applyPromotions([fixed], input([line('a', 1200), line('b', 9000)])).items_discount).toBe(1200);
    const usd = applyPromotions(
      [{ ...fixed, code: 'TENOFF' }],
      input([line('a', 1200)], { codes: ['tenoff'] }),
    );
    expect(usd.applied).toHaveLength(1);
    const wrong = applyPromotions(
      [{ ...fixed, code: 'TENOFF', currency_code: 'usd' }],
      input([line('a', 1200)], { codes: ['TENOFF'] }),
    );
    expect(wrong.applied).toHaveLength(0);
    expect(wrong.rejected).toEqual([
      { code: 'TENOFF', promotion_id: 'promo_a', reason: 'currency_mismatch' },
    ]);
  });

  it('frees shipping without touching items', () => {
    const result = applyPromotions([promo({ kind: 'free_shipping', value: 0 })], input([line('a', 100)]));
    expect(result).toMatchObject({ items_discount: 0, shipping_discount: 500 });
  });

  it('buy 2 get 1 free discounts the cheapest unit of each group of three', () => {
    const b2g1 = promo({ kind: 'buy_x_get_y', buy_quantity: 2, get_quantity: 1, value: 10_000 });
    const result = applyPromotions([b2g1], input([line('a', 1000, 2), line('b', 400, 4)]));
    // 6 units: 1000,1000,400,400,400,400 -> two groups -> two cheapest (400, 400) free
    expect(result.items_discount).toBe(800);
    expect(result.line_discounts.get('b')).toBe(800);
    const capped = applyPromotions(
      [{ ...b2g1, max_applications: 1 }],
      input([line('a', 1000, 2), line('b', 400, 4)]),
    );
    expect(capped.items_discount).toBe(400);
    expect(applyPromotions([b2g1], input([line('a', 1000, 2)])).applied).toHaveLength(0);
  });

  it('honours date windows, usage limits and per-customer limits', () => {
    const code = (p: Partial<Promotion>) => promo({ code: 'SAVE', ...p });
    const reason = (p: Promotion, extra: Partial<EngineInput> = {}) =>
      applyPromotions([p], input([line('a', 1000)], { codes: ['SAVE'], ...extra })).rejected[0]?.reason;
    expect(reason(code({ ends_at: '2026-11-01T00:00:00.000Z' }))).toBe('expired');
    expect(reason(code({ starts_at: '2026-12-01T00:00:00.000Z' }))).toBe('not_started');
    expect(reason(code({ usage_limit: 5, usage_count: 5 }))).toBe('usage_limit_reached');
    expect(reason(code({ per_customer_limit: 1 }), { customer_usage: new Map([['promo_a', 1]]) })).toBe(
      'customer_limit_reached',
    );
    expect(reason(code({ per_customer_limit: 1 }), { customer_known: false })).toBe('customer_required');
    expect(reason(code({ active: false }))).toBe('inactive');
    expect(reason(code({}), { codes: ['NOPE'] })).toBe('unknown_code');
    expect(reason(code({}))).toBeUndefined();
  });

  it('checks minimum subtotal, products, categories, collections and customer groups', () => {
    const reason = (conditions: Promotion['conditions'], extra: Partial<EngineInput> = {}) =>
      applyPromotions(
        [promo({ code: 'C', currency_code: 'eur', conditions })],
        input([line('a', 1000, 1, { category_ids: ['cat_1'], collection_ids: ['col_1'] })], {
          codes: ['C'],
          ...extra,
        }),
      ).rejected[0]?.reason;
    expect(reason({ min_subtotal: 1001 })).toBe('conditions_not_met');
    expect(reason({ min_subtotal: 1000 })).toBeUndefined();
    expect(reason({ category_ids: ['cat_2'] })).toBe('conditions_not_met');
    expect(reason({ category_ids: ['cat_1'] })).toBeUndefined();
    expect(reason({ collection_ids: ['col_1'], product_ids: ['p_a'] })).toBeUndefined();
    expect(reason({ customer_group_ids: ['vip'] })).toBe('conditions_not_met');
    expect(reason({ customer_group_ids: ['vip'] }, { customer_group_ids: ['vip'] })).toBeUndefined();
  });

  it('stacks combinable promotions by priority and lets an exclusive one stand alone', () => {
    const ten = promo({ id: 'p10', value: 1000, priority: 1 });
    const twenty = promo({ id: 'p20', value: 2000, priority: 5 });
    const both = applyPromotions([ten, twenty], input([line('a', 10_000)]));
    // 20 % first (higher priority) -> 8000 left, then 10 % of that = 800
    expect(both.applied.map((a) => [a.promotion_id, a.amount])).toEqual([
      ['p20', 2000],
      ['p10', 800],
    ]);

    const exclusive = promo({ id: 'pex', code: 'VIP', value: 3000, priority: 9, stacking: 'exclusive' });
    const alone = applyPromotions([ten, twenty, exclusive], input([line('a', 10_000)], { codes: ['VIP'] }));
    expect(alone.applied.map((a) => a.promotion_id)).toEqual(['pex']);

    const late = applyPromotions(
      [ten, { ...exclusive, priority: 0 }],
      input([line('a', 10_000)], { codes: ['VIP'] }),
    );
    expect(late.applied.map((a) => a.promotion_id)).toEqual(['p10']);
    expect(late.rejected).toEqual([{ code: 'VIP', promotion_id: 'pex', reason: 'not_combinable' }]);
  });

  it('never discounts below zero, whatever the promotions (property)', () => {
    const lineArb = fc.record({
      unit_price: fc.integer({ min: 0, max: 1_000_000 }),
      quantity: fc.integer({ min: 1, max: 20 }),
      cat: fc.constantFrom('c1', 'c2'),
    });
    const promoArb = fc.record({
      kind: fc.constantFrom('percentage', 'fixed', 'free_shipping', 'buy_x_get_y') as fc.Arbitrary<
        Promotion['kind']
      >,
      value: fc.integer({ min: 0, max: 20_000 }),
      priority: fc.integer({ min: 0, max: 5 }),
      stacking: fc.constantFrom('exclusive', 'combinable') as fc.Arbitrary<Promotion['stacking']>,
      cat: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
      buy: fc.integer({ min: 1, max: 3 }),
      get: fc.integer({ min: 1, max: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        fc.array(promoArb, { maxLength: 5 }),
        fc.integer({ min: 0, max: 5000 }),
        (ls, ps, shipping) => {
          const lines = ls.map((l, i) => line(`l${i}`, l.unit_price, l.quantity, { category_ids: [l.cat] }));
          const promotions = ps.map((p, i) =>
            promo({
              id: `p${i}`,
              kind: p.kind,
              value: p.value,
              priority: p.priority,
              stacking: p.stacking,
              buy_quantity: p.buy,
              get_quantity: p.get,
              currency_code: 'eur',
              conditions: p.cat ? { category_ids: [p.cat] } : {},
            }),
          );
          const result = applyPromotions(promotions, input(lines, { shipping_amount: shipping }));
          const subtotal = lines.reduce((s, l) => s + l.unit_price * l.quantity, 0);
          expect(result.items_discount).toBeGreaterThanOrEqual(0);
          expect(result.items_discount).toBeLessThanOrEqual(subtotal);
          expect(result.shipping_discount).toBeLessThanOrEqual(shipping);
          for (const l of lines) {
            const d = result.line_discounts.get(l.id) ?? 0;
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThanOrEqual(l.unit_price * l.quantity);
          }
          expect([...result.line_discounts.values()].reduce((a, b) => a + b, 0)).toBe(result.items_discount);
          const exclusives = result.applied.filter(
            (a) => promotions.find((p) => p.id === a.promotion_id)!.stacking === 'exclusive',
          );
          if (exclusives.length > 0) expect(result.applied).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
