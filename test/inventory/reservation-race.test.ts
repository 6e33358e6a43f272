import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availability,
  commit,
  createStockLocation,
  type ReserveResult,
  release,
  reserve,
  setStockLevel,
} from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { ledgerMismatches } from './ledger-check.js';

describe('reservation under concurrency', () => {
  let t: TestContext;
  let regionId: string;
  let locations: string[];
  beforeAll(async () => {
    t = await createTestContext();
    const { db } = t.ctx;
    await inTransaction(db, async (trx) => {
      const region = await createRegion(trx, {
        name: 'EU',
        currency_code: 'eur',
        tax_inclusive: true,
        default_tax_rate_bp: 2300,
        countries: ['pl', 'de'],
      });
      regionId = region.id;
      locations = [];
      for (const code of ['waw', 'ber', 'par']) {
        const loc = await createStockLocation(trx, { name: code, code, region_ids: [region.id] });
        locations.push(loc.id);
      }
    });
  });
  afterAll(() => t.close());

  it('200 concurrent reservations for the last 10 units: exactly 10 succeed, availability never negative', async () => {
    const { db } = t.ctx;
    await inTransaction(db, (trx) =>
      setStockLevel(trx, {
        variant_id: 'var_race',
        location_id: locations[0]!,
        on_hand: 10,
        reason: 'count',
        actor: 'test',
      }),
    );
    const observed: number[] = [];
    let racing = true;
    const watcher = (async () => {
      while (racing) {
        observed.push(
          (await availability(db, { variant_ids: ['var_race'], region_id: regionId })).get('var_race')!
            .available,
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        inTransaction(db, (trx) =>
          reserve(trx, {
            lines: [{ variant_id: 'var_race', quantity: 1 }],
            region_id: regionId,
            reference_type: 'cart',
            reference_id: `cart_${i}`,
            expires_at: null,
            actor: 'test',
            reason: 'checkout',
          }),
        ),
      ),
    );
    racing = false;
    await watcher;
    const succeeded = results.filter((r: ReserveResult) => r.ok);
    expect(succeeded).toHaveLength(10);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.shortages[0]!.available === 0)).toBe(true);
    const after = (await availability(db, { variant_ids: ['var_race'], region_id: regionId })).get(
      'var_race',
    )!;
    expect(after.available).toBe(0);
    expect(observed.length).toBeGreaterThan(0);
    expect(Math.min(...observed)).toBeGreaterThanOrEqual(0);
    expect(await ledgerMismatches(db)).toEqual([]);
    const reservations = await db
      .selectFrom('inventory_reservations')
      .select((eb) => eb.fn.sum<number>('quantity').as('total'))
      .where('variant_id', '=', 'var_race')
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    expect(Number(reservations.total)).toBe(10);
  });

  it('mixed concurrent reserve, release and commit keep the ledger equal to on hand', async () => {
    const { db } = t.ctx;
    await inTransaction(db, async (trx) => {
      for (const [i, loc] of locations.entries())
        await setStockLevel(trx, {
          variant_id: 'var_mix',
          location_id: loc,
          on_hand: 5 + i,
          reason: 'count',
          actor: 'test',
        });
    });
    const total = 5 + 6 + 7;
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const ref = { reference_type: 'cart', reference_id: `mix_${i}` };
        const result = await inTransaction(db, (trx) =>
          reserve(trx, {
            ...ref,
            lines: [{ variant_id: 'var_mix', quantity: 1 + (i % 3) }],
            region_id: regionId,
            expires_at: null,
            actor: 'test',
            reason: 'checkout',
          }),
        );
        if (!result.ok) return 0;
        if (i % 2 === 0) {
          await inTransaction(db, (trx) => release(trx, { ...ref, actor: 'test', reason: 'abandoned' }));
          return 0;
        }
        await inTransaction(db, (trx) => commit(trx, { ...ref, actor: 'test' }));
        return 1 + (i % 3);
      }),
    );
    const sold = outcomes.reduce((a, b) => a + b, 0);
    expect(sold).toBeGreaterThan(0);
    expect(sold).toBeLessThanOrEqual(total);
    const levels = await db
      .selectFrom('inventory_levels')
      .selectAll()
      .where('variant_id', '=', 'var_mix')
      .execute();
    expect(levels.reduce((a, l) => a + l.on_hand, 0)).toBe(total - sold);
    expect(levels.every((l) => l.reserved === 0 && l.on_hand >= 0)).toBe(true);
    expect(await ledgerMismatches(db)).toEqual([]);
  });
});
