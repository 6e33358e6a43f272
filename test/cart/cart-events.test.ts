import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromotion } from '../../src/modules/discounts/index.js';
import { createStockLocation, setStockLevel } from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { ADDRESS, createStore, type Store } from '../checkout/store-fixture.js';

// Every cart edit is one event in the outbox, written with the change (same transaction): ids and
// amounts, never the email or address in clear. Edits that change nothing or fail write no event.
describe('cart events', () => {
  let store: Store;
  let cartId: string;
  let seen = 0;
  beforeAll(async () => {
    store = await createStore({ stock: 20 });
    await createPromotion(store.ctx.db, { code: 'TENOFF', kind: 'percentage', value: 1000 });
    const created = await store.app.inject({
      method: 'POST',
      url: '/store/carts',
      payload: { region_id: store.regionId },
    });
    cartId = created.json().id;
    seen = (await cartEvents()).length;
  });
  afterAll(async () => {
    await store.close();
  });

  async function cartEvents() {
    const rows = await store.ctx.db
      .selectFrom('outbox_events')
      .select(['id', 'topic', 'payload'])
      .where('topic', 'like', 'cart.%')
      .orderBy('id')
      .execute();
    return rows
      .map((r) => ({
        topic: r.topic,
        raw: r.payload,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
      }))
      .filter((e) => e.payload.cart_id === cartId);
  }

  /** Runs one call and returns the events it emitted (asserting its status). */
  async function edit(method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, status = 200) {
    const res = await store.app.inject({ method, url: `/store/carts/${cartId}${url}`, payload });
    expect(res.statusCode, res.body).toBe(status);
    const events = await cartEvents();
    const fresh = events.slice(seen);
    seen = events.length;
    for (const event of fresh) {
      expect(event.raw).not.toContain('ada@example.com');
      expect(event.raw).not.toContain(ADDRESS.address_1);
      expect(event.raw).not.toContain(ADDRESS.last_name);
    }
    return { body: res.json(), events: fresh };
  }

  it('emits exactly one event per line edit', async () => {
    const [v0, v1] = store.variants as [string, string];
    const added = await edit('POST', '/line-items', { variant_id: v0, quantity: 2 });
    const line = added.body.items[0];
    expect(added.events).toHaveLength(1);
    expect(added.events[0]).toMatchObject({
      topic: 'cart.line_added',
      payload: {
        cart_id: cartId,
        line_id: line.id,
        variant_id: v0,
        product_id: line.product_id,
        quantity: 2,
        line_quantity: 2,
        unit_price: 1999,
        currency_code: 'eur',
        version: 2,
      },
    });
    const again = await edit('POST', '/line-items', { variant_id: v0, quantity: 1 });
    expect(again.events.map((e) => e.payload)).toMatchObject([
      { line_id: line.id, quantity: 1, line_quantity: 3 },
    ]);
    const other = await edit('POST', '/line-items', { variant_id: v1, quantity: 1 });
    expect(other.events.map((e) => e.topic)).toEqual(['cart.line_added']);

    const updated = await edit('PATCH', `/line-items/${line.id}`, { quantity: 5 });
    expect(updated.events).toHaveLength(1);
    expect(updated.events[0]).toMatchObject({
      topic: 'cart.line_updated',
      payload: { cart_id: cartId, line_id: line.id, variant_id: v0, quantity: 5, previous_quantity: 3 },
    });

    const removed = await edit('DELETE', `/line-items/${line.id}`);
    expect(removed.events).toHaveLength(1);
    expect(removed.events[0]).toMatchObject({
      topic: 'cart.line_removed',
      payload: { cart_id: cartId, line_id: line.id, variant_id: v0, quantity: 5 },
    });
  });

  it('emits one cart.updated per details change, naming the fields without their personal values', async () => {
    const details = await edit('PATCH', '', {
      email: 'ada@example.com',
      shipping_address: ADDRESS,
      billing_address: ADDRESS,
    });
    expect(details.events).toHaveLength(1);
    expect(details.events[0]).toMatchObject({ topic: 'cart.updated', payload: { cart_id: cartId } });
    expect(details.events[0]!.payload.fields).toEqual(['email', 'shipping_address', 'billing_address']);

    const shipping = await edit('PATCH', '', { shipping_option_id: store.shippingOptionId });
    expect(shipping.events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ fields: ['shipping_option_id'], shipping_option_id: store.shippingOptionId }),
    ]);
    // The same values again change nothing: no write, no event.
    const same = await edit('PATCH', '', {
      email: 'ada@example.com',
      shipping_option_id: store.shippingOptionId,
    });
    expect(same.events).toHaveLength(0);
    expect(same.body.updated_at).toBe(shipping.body.updated_at);
  });

  it('emits one event per discount code applied or removed', async () => {
    const applied = await edit('POST', '/discounts', { code: 'tenoff' });
    expect(applied.events).toHaveLength(1);
    expect(applied.events[0]).toMatchObject({
      topic: 'cart.discount_applied',
      payload: { cart_id: cartId, code: 'TENOFF', promotion_id: applied.body.discounts[0].promotion_id },
    });
    expect(applied.events[0]!.payload.promotion_id).toMatch(/^promo_/);
    expect((await edit('POST', '/discounts', { code: 'TENOFF' })).events).toHaveLength(0);

    const removed = await edit('DELETE', '/discounts/TENOFF');
    expect(removed.events.map((e) => [e.topic, e.payload.code])).toEqual([
      ['cart.discount_removed', 'TENOFF'],
    ]);
    expect((await edit('DELETE', '/discounts/TENOFF')).events).toHaveLength(0);
  });

  it('emits one cart.updated when the cart moves region, and none for refused edits', async () => {
    const region = await inTransaction(store.ctx.db, async (trx) => {
      const austria = await createRegion(trx, {
        name: 'Austria',
        currency_code: 'eur',
        tax_inclusive: true,
        default_tax_rate_bp: 2000,
        countries: ['at'],
      });
      const vienna = await createStockLocation(trx, {
        name: 'Vienna',
        code: 'vie',
        region_ids: [austria.id],
      });
      await setStockLevel(trx, {
        variant_id: store.variants[1]!,
        location_id: vienna.id,
        on_hand: 5,
        reason: 'test',
        actor: 'test',
      });
      return austria;
    });
    const moved = await edit('PATCH', '', { region_id: region.id });
    expect(moved.events).toHaveLength(1);
    expect(moved.events[0]).toMatchObject({
      topic: 'cart.updated',
      payload: {
        cart_id: cartId,
        region_id: region.id,
        previous_region_id: store.regionId,
        currency_code: 'eur',
      },
    });
    // German addresses are not served there, so they were cleared along with the region change.
    expect(moved.events[0]!.payload.fields).toEqual(
      expect.arrayContaining(['region_id', 'shipping_address', 'billing_address']),
    );

    await edit('POST', '/line-items', { variant_id: store.variants[0]!, quantity: 500 }, 409);
    await edit('PATCH', '/line-items/cali_01ARZ3NDEKTSV4RRFFQ69G5FAV', { quantity: 1 }, 404);
    await edit('POST', '/discounts', { code: 'NOSUCHCODE' }, 422);
    await edit('PATCH', '', { shipping_address: { ...ADDRESS, country_code: 'us' } }, 422);
    expect(await cartEvents()).toHaveLength(seen);
  });
});
