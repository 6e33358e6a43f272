import { createStockLocation, setStockLevel } from '../../src/modules/inventory/index.js';
import { bindPaymentProviders, type PaymentProviders } from '../../src/modules/payments/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import {
  bindFulfillmentProviders,
  CourierProvider,
  createShippingOption,
  type FulfillmentProvider,
  ManualFulfillmentProvider,
} from '../../src/modules/shipping/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { buildApp } from '../../src/platform/http/app.js';
import type { Authenticator } from '../../src/platform/http/auth.js';
import { createTestContext, type TestApp } from '../helpers/test-context.js';

export const staff: Authenticator = {
  authenticate: async (request) =>
    request.headers['x-test-principal'] === 'owner'
      ? { kind: 'staff', id: 'usr_owner', permissions: '*' }
      : null,
};
export const owner = { 'x-test-principal': 'owner' };

export interface Store extends TestApp {
  regionId: string;
  locationId: string;
  secondLocationId: string;
  variants: string[];
  shippingOptionId: string;
}

export const ADDRESS = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  address_1: 'Hauptstr. 1',
  city: 'Berlin',
  postal_code: '10115',
  country_code: 'DE',
};

/**
 * A store with a tax-inclusive EUR region (21 %), two warehouses, `products` one-variant products
 * (prices 1999, 2999, 3999, … with `stock` units each in the first warehouse) and a flat 499 shipping option.
 */
export async function createStore(
  options: { stock?: number; products?: number; providers?: PaymentProviders; poolMax?: number } = {},
): Promise<Store> {
  const context = await createTestContext(
    options.poolMax ? { env: { DATABASE_POOL_MAX: String(options.poolMax) } } : {},
  );
  context.ctx.auth = staff;
  if (options.providers) bindPaymentProviders(context.ctx, options.providers);
  const app = await buildApp(context.ctx);
  await app.ready();
  const shop = await seedShop({ ...context, app }, owner, options);
  return {
    ...context,
    app,
    ...shop,
    async close() {
      await app.close();
      await context.close();
    },
  };
}

export type Shop = Pick<
  Store,
  'regionId' | 'locationId' | 'secondLocationId' | 'variants' | 'shippingOptionId'
>;

/**
 * Stocks an app's store: a tax-inclusive EUR region (21 %, de and fr), two warehouses, `products`
 * one-variant products (prices 1999, 2999, … with `stock` units each in the first warehouse) and a
 * flat 499 shipping option. `admin` are headers that may create products.
 */
export async function seedShop(
  t: Pick<TestApp, 'app' | 'ctx'>,
  admin: Record<string, string>,
  options: { stock?: number; products?: number } = {},
): Promise<Shop> {
  const { regionId, locationId, secondLocationId } = await inTransaction(t.ctx.db, async (trx) => {
    const region = await createRegion(trx, {
      name: 'Europe',
      currency_code: 'eur',
      tax_inclusive: true,
      default_tax_rate_bp: 2100,
      countries: ['de', 'fr'],
    });
    const main = await createStockLocation(trx, {
      name: 'Main',
      code: 'main',
      region_ids: [region.id],
      priority: 1,
    });
    const second = await createStockLocation(trx, {
      name: 'Second',
      code: 'second',
      region_ids: [region.id],
      priority: 2,
    });
    return { regionId: region.id, locationId: main.id, secondLocationId: second.id };
  });
  const variants: string[] = [];
  for (let i = 0; i < (options.products ?? 3); i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/products',
      headers: admin,
      payload: {
        title: `Product ${i}`,
        status: 'published',
        variants: [
          { sku: `SKU-${i}`, weight_grams: 500, prices: [{ currency_code: 'eur', amount: 1999 + i * 1000 }] },
        ],
      },
    });
    if (res.statusCode !== 201) throw new Error(`product: ${res.body}`);
    variants.push(res.json().variants[0].id);
  }
  await inTransaction(t.ctx.db, async (trx) => {
    for (const variant of variants) {
      await setStockLevel(trx, {
        variant_id: variant,
        location_id: locationId,
        on_hand: options.stock ?? 100,
        reason: 'test',
        actor: 'test',
      });
    }
  });
  const option = await createShippingOption(t.ctx.db, {
    region_id: regionId,
    name: 'Standard',
    price_type: 'flat',
    amount: 499,
  });
  return { regionId, locationId, secondLocationId, variants, shippingOptionId: option.id };
}

/** The storefront flow up to (not including) completion; returns the cart id. */
export async function readyCart(
  store: Pick<Store, 'app' | 'regionId' | 'shippingOptionId'>,
  lines: { variant: string; quantity: number }[],
  email = 'ada@example.com',
  /** A signed-in customer's headers make the cart theirs; another address replaces ADDRESS. */
  as: { headers?: Record<string, string>; address?: Record<string, string> } = {},
) {
  const { app } = store;
  const headers = as.headers ? { headers: as.headers } : {};
  const created = await app.inject({
    method: 'POST',
    url: '/store/carts',
    payload: { region_id: store.regionId },
    ...headers,
  });
  if (created.statusCode !== 201) throw new Error(`create cart: ${created.body}`);
  const id = created.json().id as string;
  for (const line of lines) {
    const res = await app.inject({
      method: 'POST',
      url: `/store/carts/${id}/line-items`,
      payload: { variant_id: line.variant, quantity: line.quantity },
      ...headers,
    });
    if (res.statusCode !== 200) return { id, failed: res };
  }
  const update = await app.inject({
    method: 'PATCH',
    url: `/store/carts/${id}`,
    payload: {
      email,
      shipping_address: as.address ?? ADDRESS,
      shipping_option_id: store.shippingOptionId,
    },
    ...headers,
  });
  if (update.statusCode !== 200) throw new Error(`update cart: ${update.body}`);
  return { id, failed: null };
}

/**
 * An order shipped by the courier provider and marked paid, ready for a fulfillment: a courier
 * shipping option (flat 6.99) named `name`, one unit of `variant`, completed through the store API.
 */
export async function paidCourierOrder(store: Store, variant: string, name = 'Courier') {
  const option = await createShippingOption(store.ctx.db, {
    region_id: store.regionId,
    name,
    provider: 'courier',
    price_type: 'flat',
    amount: 699,
  });
  const { id } = await readyCart(store, [{ variant, quantity: 1 }]);
  await store.app.inject({
    method: 'PATCH',
    url: `/store/carts/${id}`,
    payload: { shipping_option_id: option.id },
  });
  const completed = await store.app.inject({ method: 'POST', url: `/store/carts/${id}/complete` });
  if (completed.statusCode !== 200) throw new Error(`complete: ${completed.body}`);
  const { order } = completed.json();
  await store.app.inject({ method: 'POST', url: `/admin/orders/${order.id}/mark-paid`, headers: owner });
  return order as { id: string; number: number; shipping_total: number };
}

/** The store's fulfillment providers: manual, and the courier posting signed shipments to `url`. */
export function bindCourier(store: Store, url: string, secret: string): void {
  bindFulfillmentProviders(
    store.ctx,
    new Map<string, FulfillmentProvider>([
      ['manual', new ManualFulfillmentProvider()],
      ['courier', new CourierProvider({ url, secret })],
    ]),
  );
}
