import type { Trx } from './transaction.js';

/**
 * A module that keeps another module's ids in its own tables (carts keep `region_id`, variants keep
 * `tax_class_id`) says so here, so the owner can refuse to delete a row still in use without
 * importing the referrer (which usually imports the owner). Registered on import, like subscribers.
 *
 * @example
 *   registerReference({ target: 'region', name: 'open orders', count: (trx, id) => countOpenOrders(trx, id) });
 *   const uses = await referencesTo(trx, 'region', id); // [{ name: 'open orders', count: 2 }]
 */
export interface ReferenceCheck {
  /** What is referred to: `region`, `tax_class`, `shipping_option`. */
  target: string;
  /** Who refers to it, in words shown to staff: `open orders`, `product variants`. */
  name: string;
  /** How many rows still refer to `id`; runs in the deleting transaction. */
  count: (trx: Trx, id: string) => Promise<number>;
}

const checks = new Map<string, ReferenceCheck>();

export function registerReference(check: ReferenceCheck): void {
  checks.set(`${check.target}\u0000${check.name}`, check);
}

/** The references to `target` `id` that remain, by referrer; empty when the row may go. */
export async function referencesTo(
  trx: Trx,
  target: string,
  id: string,
): Promise<Array<{ name: string; count: number }>> {
  const found: Array<{ name: string; count: number }> = [];
  for (const check of checks.values()) {
    if (check.target !== target) continue;
    const count = await check.count(trx, id);
    if (count > 0) found.push({ name: check.name, count });
  }
  return found;
}

/** `2 open orders, 1 shipping option`-style summary for an error message. */
export function describeReferences(found: Array<{ name: string; count: number }>): string {
  return found.map((f) => `${f.count} ${f.name}`).join(', ');
}
