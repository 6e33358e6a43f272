import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStockLocation, setStockLevel } from '../../src/modules/inventory/index.js';
import { setVariantPrices } from '../../src/modules/pricing/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { createShippingOption } from '../../src/modules/shipping/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { ADDRESS, createStore, type Store } from '../checkout/store-fixture.js';

const US_ADDRESS = { ...ADDRESS, city: 'Boston', postal_code: '02108', country_code: 'US' };

// PATCH /store/carts/{id} with region_id: the cart moves to the other region's currency, prices, stock
// and shipping, or refuses and stays as it was.
describe('changing a cart region', () => {
  let store: Store;
  let usRegion: string;
  let usShipping: string;
  let usLocation: string;
  beforeAll(async () => {
    store = await createStore({ stock: 20 });
    const [v0, v1] = store.variants as [string, string, string];
    ({ usRegion, usLocation } = await inTransaction(store.ctx.db, async (trx) => {
      const region = await createRegion(trx, {
        name: 'United States',
        currency_code: 'usd',
        tax_inclusive: false,
        default_tax_rate_bp: 0,
        countries: ['us'],
      });
      const location = await createStockLocation(trx, {
        name: 'Boston',
        code: 'bos',
        region_ids: [region.id],
        priority: 1,
      });
      // Variant 0 and 1 get a dollar price (variant 2 has none); stock: 5 and 1 units in Boston.
      await setVariantPrices(trx, v0, [
        { currency_code: 'eur', amount: 1999 },
        { currency_code: 'usd', amount: 2500 },
      ]);
      await setVariantPrices(trx, v1, [
        { currency_code: 'eur', amount: 2999 },
        { currency_code: 'usd', amount: 3500 },
      ]);
      for (const [variant, units] of [
        [v0, 5],
        [v1, 1],
      ] as const)
        await setStockLevel(trx, {
          variant_id: variant,
          location_id: location.id,
          on_hand: units,
          reason: 'test',
          actor: 'test',
        });
      return { usRegion: region.id, usLocation: location.id };
    }));
    usShipping = (
      await createShippingOption(store.ctx.db, {
        region_id: usRegion,
        name: 'Ground',
        price_type: 'flat',
        amount: 900,
      })
    ).id;
  });
  afterAll(async () => {
    await store.close();
  });

  const cartWith = async (lines: Array<[string, number]>) => {
    const created = await store.app.inject({
      method: 'POST',
      url: '/store/carts',
      payload: { region_id: store.regionId },
    });
    const id = created.json().id as string;
    for (const [variant_id, quantity] of lines) {
      const res = await store.app.inject({
        method: 'POST',
        url: `/store/carts/${id}/line-items`,
        payload: { variant_id, quantity },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const res = await store.app.inject({
      method: 'PATCH',
      url: `/store/carts/${id}`,
      payload: {
        email: 'ada@example.test',
        shipping_address: ADDRESS,
        shipping_option_id: store.shippingOptionId,
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const patch = (id: string, payload: object) =>
    store.app.inject({ method: 'PATCH', url: `/store/carts/${id}`, payload });
  const get = async (id: string) => (await store.app.inject({ url: `/store/carts/${id}` })).json();

  it('re-prices the lines in the new currency, clears unfit shipping and address, and checks out there', async () => {
    const cart = await cartWith([[store.variants[0]!, 2]]);
    expect(cart).toMatchObject({ currency_code: 'eur', subtotal: 3998 });
    const moved = await patch(cart.id, { region_id: usRegion });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({
      region_id: usRegion,
      currency_code: 'usd',
      subtotal: 5000,
      shipping_option_id: null,
      shipping_address: null,
      email: 'ada@example.test',
    });
    expect(moved.json().items[0]).toMatchObject({ quantity: 2, unit_price: 2500 });

    const ready = await patch(cart.id, { shipping_address: US_ADDRESS, shipping_option_id: usShipping });
    expect(ready.statusCode, ready.body).toBe(200);
    expect(ready.json()).toMatchObject({ shipping_total: 900, total: 5900 });
    const done = await store.app.inject({
      method: 'POST',
      url: `/store/carts/${cart.id}/complete`,
      headers: { 'idempotency-key': `region-${cart.id}` },
      payload: {},
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().order).toMatchObject({ currency_code: 'usd', total: 5900 });
    // The stock left from the warehouse serving the new region.
    const level = await store.ctx.db
      .selectFrom('inventory_levels')
      .select('on_hand')
      .where('variant_id', '=', store.variants[0]!)
      .where('location_id', '=', usLocation)
      .executeTakeFirstOrThrow();
    expect(level.on_hand).toBe(3);
  });

  it('moves back and forth: the prices follow the region', async () => {
    const cart = await cartWith([[store.variants[1]!, 1]]);
    expect((await patch(cart.id, { region_id: usRegion })).json().items[0].unit_price).toBe(3500);
    const back = await patch(cart.id, {
      region_id: store.regionId,
      shipping_option_id: store.shippingOptionId,
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ currency_code: 'eur', shipping_option_id: store.shippingOptionId });
    expect(back.json().items[0].unit_price).toBe(2999);
  });

  it('refuses a move a line cannot make, an unknown region and an address outside it, changing nothing', async () => {
    const noPrice = await cartWith([
      [store.variants[0]!, 1],
      [store.variants[2]!, 1],
    ]);
    const res = await patch(noPrice.id, { region_id: usRegion });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'VARIANT_NOT_AVAILABLE',
      details: [{ variant_id: store.variants[2], reason: 'no_price_in_usd' }],
    });

    const tooMany = await cartWith([[store.variants[1]!, 2]]);
    const short = await patch(tooMany.id, { region_id: usRegion });
    expect(short.statusCode).toBe(409);
    expect(short.json().error).toMatchObject({
      code: 'INSUFFICIENT_STOCK',
      details: [{ variant_id: store.variants[1], requested: 2, available: 1 }],
    });

    const unknown = await patch(tooMany.id, { region_id: 'reg_00000000000000000000000000' });
    expect(unknown.statusCode).toBe(404);

    for (const before of [noPrice, tooMany]) {
      const after = await get(before.id);
      expect(after).toMatchObject({
        region_id: store.regionId,
        currency_code: 'eur',
        subtotal: before.subtotal,
        shipping_option_id: store.shippingOptionId,
        updated_at: before.updated_at,
      });
    }
  });

  it('checks addresses given with the move against the new region', async () => {
    const cart = await cartWith([[store.variants[0]!, 1]]);
    const res = await patch(cart.id, { region_id: usRegion, shipping_address: ADDRESS });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('ADDRESS_NOT_IN_REGION');
    expect(await get(cart.id)).toMatchObject({
      region_id: store.regionId,
      updated_at: cart.updated_at,
      currency_code: 'eur',
    });
  });
});
