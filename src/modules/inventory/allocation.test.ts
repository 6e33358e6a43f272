import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PlanLocation, planAllocation } from './allocation.js';

const loc = (id: string, stock: Record<string, number>, priority = 100): PlanLocation => ({
  id,
  priority,
  available: new Map(Object.entries(stock)),
});

describe('planAllocation', () => {
  it('ships a whole order from one location when one can cover it, even if another has more of one item', () => {
    const plan = planAllocation(
      [
        { variant_id: 'a', quantity: 2 },
        { variant_id: 'b', quantity: 1 },
      ],
      [loc('big_a', { a: 100 }, 1), loc('both', { a: 2, b: 1 }, 5)],
    );
    expect(plan.unfilled.size).toBe(0);
    expect(new Set(plan.allocations.map((a) => a.location_id))).toEqual(new Set(['both']));
  });

  it('splits a line only when no single location holds it, over the fewest locations', () => {
    const plan = planAllocation(
      [{ variant_id: 'a', quantity: 10 }],
      [loc('x', { a: 3 }), loc('y', { a: 8 }), loc('z', { a: 4 })],
    );
    expect(plan.allocations).toEqual([
      { variant_id: 'a', location_id: 'y', quantity: 8 },
      { variant_id: 'a', location_id: 'z', quantity: 2 },
    ]);
  });

  it('reports what cannot be filled and takes nothing for it unless partial fill is allowed', () => {
    const locations = [loc('x', { a: 3 }), loc('y', { a: 2 })];
    const strict = planAllocation([{ variant_id: 'a', quantity: 9 }], locations);
    expect(strict.allocations).toEqual([]);
    expect(strict.unfilled.get('a')).toBe(9);
    const partial = planAllocation([{ variant_id: 'a', quantity: 9 }], locations, new Set(['a']));
    expect(partial.allocations.reduce((s, a) => s + a.quantity, 0)).toBe(5);
    expect(partial.unfilled.get('a')).toBe(4);
  });

  it('merges duplicate lines of a variant instead of taking the same units twice', () => {
    const plan = planAllocation(
      [
        { variant_id: 'a', quantity: 2 },
        { variant_id: 'a', quantity: 2 },
      ],
      [loc('x', { a: 3 }), loc('y', { a: 1 })],
    );
    expect(plan.unfilled.size).toBe(0);
    expect(plan.allocations.find((a) => a.location_id === 'x')!.quantity).toBeLessThanOrEqual(3);
    expect(plan.allocations.reduce((s, a) => s + a.quantity, 0)).toBe(4);
  });

  it('never over-commits a location, fills each line exactly or reports it, and uses one location when one suffices', () => {
    const variants = ['a', 'b', 'c', 'd'];
    const arbLocations = fc.array(
      fc.record({
        priority: fc.integer({ min: 0, max: 5 }),
        stock: fc.dictionary(fc.constantFrom(...variants), fc.integer({ min: 0, max: 12 })),
      }),
      { minLength: 1, maxLength: 5 },
    );
    const arbLines = fc.array(
      fc.record({ variant_id: fc.constantFrom(...variants), quantity: fc.integer({ min: 1, max: 15 }) }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(arbLocations, arbLines, (specs, lines) => {
        const locations = specs.map((s, i) => loc(`l${i}`, s.stock, s.priority));
        const plan = planAllocation(lines, locations);
        const wanted = new Map<string, number>();
        for (const l of lines) wanted.set(l.variant_id, (wanted.get(l.variant_id) ?? 0) + l.quantity);
        for (const location of locations) {
          for (const v of variants) {
            const taken = plan.allocations
              .filter((a) => a.location_id === location.id && a.variant_id === v)
              .reduce((s, a) => s + a.quantity, 0);
            expect(taken).toBeLessThanOrEqual(location.available.get(v) ?? 0);
          }
        }
        for (const [v, quantity] of wanted) {
          const taken = plan.allocations
            .filter((a) => a.variant_id === v)
            .reduce((s, a) => s + a.quantity, 0);
          const total = locations.reduce((s, l) => s + (l.available.get(v) ?? 0), 0);
          if (total >= quantity) {
            expect(taken).toBe(quantity);
            expect(plan.unfilled.has(v)).toBe(false);
          } else {
            expect(taken).toBe(0);
            expect(plan.unfilled.get(v)).toBe(quantity);
          }
        }
        for (const a of plan.allocations) expect(a.quantity).toBeGreaterThan(0);
        const single = locations.some((l) => [...wanted].every(([v, q]) => (l.available.get(v) ?? 0) >= q));
        if (single) expect(new Set(plan.allocations.map((a) => a.location_id)).size).toBe(1);
      }),
      { numRuns: 3000 },
    );
  });
});
