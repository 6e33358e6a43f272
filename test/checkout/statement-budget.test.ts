import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLineItem, createCart } from '../../src/modules/cart/index.js';
import { completeCart } from '../../src/modules/checkout/index.js';
import { setStockLevel } from '../../src/modules/inventory/index.js';
import { paymentProvidersFor } from '../../src/modules/payments/index.js';
import { fieldCrypto } from '../../src/platform/crypto/field-crypto.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createStore, readyCart, type Store } from './store-fixture.js';

/** Counts executed SQL statements (transformResult runs once per statement; BEGIN/COMMIT are not queries). */
class StatementCounter implements KyselyPlugin {
  count = 0;
  kinds: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const text = JSON.stringify(args.node);
    const table = /TableNode.*?"name":"([a-z_]+)"/.exec(text)?.[1];
    this.kinds.push(`${args.node.kind.replace('QueryNode', '')} ${table}`);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

// The budget is 25 statements per completion. A 3-line cart takes 21 on both dialects: the cart
// lock (1); reserve (7: items, locations, levels (read without a lock), the reservations, its event, ONE
// ledger INSERT, ONE guarded UPDATE of the levels); the payment and its event (2); then one transaction with
// commit (5: reservations, thresholds, ONE levels UPDATE, ONE ledger INSERT, ONE status UPDATE) and
// the order (6: counter, order, lines, cart, events, deliveries; commit's events join the order's).
// Inventory writes are set-based, so the count does not grow with the number of lines.
const BUDGET = 21;
const OWN_BUDGET = 6;
const ADD_TO_CART_BUDGET = 6;
const OWN_TABLES = new Set([
  'carts',
  'payments',
  'counters',
  'orders',
  'order_line_items',
  'order_events',
  'promotions',
  'promotion_usages',
  'shipping_options',
]);

describe('checkout statement budget', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createStore({ stock: 100, products: 6 });
    crypto = await fieldCrypto(store.ctx.db, store.ctx.secrets);
  });
  afterAll(async () => {
    await store.close();
  });

  const counter = new StatementCounter();
  // The key ring is loaded once per app (not counted): encryption itself adds no statement.
  let crypto: Awaited<ReturnType<typeof fieldCrypto>>;
  const deps = () => ({
    db: store.ctx.db.withPlugin(counter),
    cache: store.ctx.cache,
    providers: paymentProvidersFor(store.ctx),
    crypto,
  });
  let threeLines = 0;

  it(`completes a 3-line cart with manual payment within its SQL statement budget`, async () => {
    // Warm the region cache the way a running store has it.
    const warm = await readyCart(store, [{ variant: store.variants[0]!, quantity: 1 }]);
    await completeCart(deps(), warm.id);
    const { id } = await readyCart(
      store,
      store.variants.slice(0, 3).map((variant) => ({ variant, quantity: 2 })),
    );
    counter.count = 0;
    counter.kinds = [];
    const { order } = await completeCart(deps(), id);
    expect(order.items).toHaveLength(3);
    console.info(
      `checkout completion: ${counter.count} SQL statements`,
      process.env.SHOW_SQL ? counter.kinds : '',
    );
    expect(counter.count).toBeGreaterThan(0);
    expect(counter.count).toBeLessThanOrEqual(BUDGET);
    const own = counter.kinds.filter((k) => OWN_TABLES.has(k.split(' ')[1] ?? ''));
    expect(own.length, own.join(', ')).toBeLessThanOrEqual(OWN_BUDGET);
    threeLines = counter.count;
  });

  it('costs the same number of statements for 6 lines, one of them split over two locations', async () => {
    const split = store.variants[5]!;
    await inTransaction(store.ctx.db, async (trx) => {
      for (const [location_id, on_hand] of [
        [store.locationId, 2],
        [store.secondLocationId, 2],
      ] as const)
        await setStockLevel(trx, { variant_id: split, location_id, on_hand, reason: 'test', actor: 'test' });
    });
    const { id } = await readyCart(
      store,
      store.variants.map((variant) => ({ variant, quantity: variant === split ? 3 : 1 })),
    );
    counter.count = 0;
    const { order } = await completeCart(deps(), id);
    expect(order.items).toHaveLength(6);
    const allocations = await store.ctx.db
      .selectFrom('inventory_reservations')
      .select('location_id')
      .where('reference_id', '=', id)
      .where('variant_id', '=', split)
      .execute();
    expect(allocations).toHaveLength(2);
    expect(threeLines).toBeGreaterThan(0);
    expect(counter.count).toBe(threeLines);
  });

  // Add-to-cart is the storefront's hottest write: the cart (1), the variant (1), its price (1) and
  // stock (1), the guarded cart UPDATE and its cart.line_added event (2 on SQLite; ONE statement on
  // PostgreSQL, see updateThenEmit).
  it('adds a line to a cart within its SQL statement budget', async () => {
    const cart = await createCart(deps(), { region_id: store.regionId });
    await addLineItem(deps(), cart.id, { variant_id: store.variants[0]!, quantity: 1 });
    counter.count = 0;
    counter.kinds = [];
    await addLineItem(deps(), cart.id, { variant_id: store.variants[1]!, quantity: 1 });
    console.info(`add to cart: ${counter.count} SQL statements`, process.env.SHOW_SQL ? counter.kinds : '');
    expect(counter.count).toBeGreaterThan(0);
    expect(counter.count).toBeLessThanOrEqual(ADD_TO_CART_BUDGET);
  });
});
