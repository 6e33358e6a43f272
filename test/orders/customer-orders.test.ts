import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldCrypto } from '../../src/platform/crypto/field-crypto.js';
import { keyUsage, rotateKeys } from '../../src/platform/crypto/key-rotation.js';
import { readyCart, type Shop, seedShop } from '../checkout/store-fixture.js';
import { type CustomerCredentials, customerCredentials, staffCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

interface OrderOut {
  id: string;
  email: string;
  customer_id: string | null;
  shipping_address: Record<string, unknown>;
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  tax_total: number;
  total: number;
  items: { quantity: number; unit_price: number; tax_total: number; total: number }[];
}

const addressOf = (street: string, phone: string, last_name = 'Quincey') => ({
  first_name: last_name === 'Quincey' ? 'Zelda' : 'Bruno',
  last_name,
  address_1: `7 ${street}`,
  city: 'Paris',
  postal_code: '75001',
  country_code: 'fr',
  phone,
});

describe('customer order history, order erasure and export', () => {
  let t: TestApp;
  let shop: Shop;
  let a: CustomerCredentials;
  let b: CustomerCredentials;
  let owner: { authorization: string };
  const aOrders: string[] = [];
  let bOrder = '';
  let guestOrder = '';

  async function order(
    email: string,
    as: { headers?: Record<string, string>; address: Record<string, string> },
    quantity = 1,
  ): Promise<OrderOut> {
    const lines = [{ variant: shop.variants[0]!, quantity }];
    const cart = await readyCart({ ...shop, app: t.app }, lines, email, as);
    const res = await t.app.inject({
      method: 'POST',
      url: `/store/carts/${cart.id}/complete`,
      // Stored responses (they hold the email and address) must go with erasure too.
      headers: { ...as.headers, 'idempotency-key': randomUUID() },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().order;
  }

  beforeAll(async () => {
    t = await createTestApp();
    owner = (await staffCredentials(t, 'owner')).headers;
    shop = await seedShop(t, owner, { products: 1 });
    a = await customerCredentials(t, { first_name: 'Zelda', phone: '+33 1 42 68 53 00' });
    b = await customerCredentials(t, { first_name: 'Bruno' });
    const aAddress = addressOf('Rue Quincampoix', '+33 1 42 68 53 00');
    for (let i = 1; i <= 3; i++)
      aOrders.push((await order(a.email, { headers: a.headers, address: aAddress }, i)).id);
    bOrder = (
      await order(b.email, { headers: b.headers, address: addressOf('Rue Oberkampf', '+33 9', 'Brun') })
    ).id;
    // A guest checkout with A's email (any case) is not linked to A's account.
    guestOrder = (await order(a.email.toUpperCase(), { address: addressOf('Rue Quincampoix', '+33 1') })).id;
    // A's own signed-in call with a key (scope: A's id), answered with A's address.
    const saved = await t.app.inject({
      method: 'POST',
      url: '/store/customers/me/addresses',
      headers: { ...a.headers, 'idempotency-key': randomUUID() },
      payload: aAddress,
    });
    expect(saved.statusCode, saved.body).toBe(201);
    // An open cart of A's with their details.
    await readyCart({ ...shop, app: t.app }, [{ variant: shop.variants[0]!, quantity: 1 }], a.email, {
      headers: a.headers,
      address: aAddress,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists only the signed-in customer’s own orders, newest first, a keyset page at a time', async () => {
    const first = await t.app.inject({ url: '/store/customers/me/orders?limit=2', headers: a.headers });
    expect(first.statusCode).toBe(200);
    expect(first.json().data.map((o: OrderOut) => o.id)).toEqual([aOrders[2], aOrders[1]]);
    expect(first.json().data[0]).toMatchObject({ email: a.email, customer_id: a.id });
    expect(first.json().data[0].shipping_address.address_1).toBe('7 Rue Quincampoix');
    const next = await t.app.inject({
      url: `/store/customers/me/orders?limit=2&cursor=${first.json().next_cursor}`,
      headers: a.headers,
    });
    expect(next.json()).toEqual({ data: [expect.objectContaining({ id: aOrders[0] })], next_cursor: null });
    // The guest order with A's email is not A's history; B's list holds only B's order.
    const mine = await t.app.inject({ url: '/store/customers/me/orders?limit=50', headers: a.headers });
    expect(mine.json().data.map((o: OrderOut) => o.id)).not.toContain(guestOrder);
    const theirs = await t.app.inject({ url: '/store/customers/me/orders', headers: b.headers });
    expect(theirs.json().data.map((o: OrderOut) => o.id)).toEqual([bOrder]);
  });

  it('reads one own order, and answers 404 for anyone else’s or a guest’s', async () => {
    const own = await t.app.inject({ url: `/store/customers/me/orders/${aOrders[0]}`, headers: a.headers });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ id: aOrders[0], email: a.email });
    for (const id of [bOrder, guestOrder, 'ord_00000000000000000000000000']) {
      const res = await t.app.inject({ url: `/store/customers/me/orders/${id}`, headers: a.headers });
      expect(res.statusCode, id).toBe(404);
      expect(res.json().error.code).toBe('ORDER_NOT_FOUND');
      expect(res.body).not.toContain('Oberkampf');
    }
    expect((await t.app.inject({ url: '/store/customers/me/orders' })).statusCode).toBe(401);
    // A staff token is no customer session.
    const staff = await t.app.inject({ url: '/store/customers/me/orders', headers: owner });
    expect(staff.statusCode).toBe(401);
    const bad = await t.app.inject({ url: '/store/customers/me/orders/not-an-id', headers: a.headers });
    expect(bad.statusCode).toBe(400);
  });

  it('staff find orders by exact email through the blind index, guest and customer alike', async () => {
    const res = await t.app.inject({
      url: `/admin/orders?email=${encodeURIComponent(a.email.toUpperCase())}&limit=10`,
      headers: owner,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((o: OrderOut) => o.id)).toEqual([guestOrder, ...[...aOrders].reverse()]);
    const none = await t.app.inject({ url: '/admin/orders?email=nobody%40example.test', headers: owner });
    expect(none.json().data).toEqual([]);
    const stored = await t.ctx.db.selectFrom('orders').select(['email', 'shipping_address']).execute();
    for (const row of stored) {
      expect(row.email).toMatch(/^enc:v1:/);
      expect(row.shipping_address).toMatch(/^enc:v1:/);
    }
  });

  it('the GDPR export holds the customer’s orders in clear', async () => {
    const res = await t.app.inject({ url: '/store/customers/me/export', headers: a.headers });
    expect(res.statusCode).toBe(200);
    const orders = res.json().orders as OrderOut[];
    expect(orders.map((o) => o.id).sort()).toEqual([...aOrders].sort());
    expect(orders[0]!.shipping_address.phone).toBe('+33 1 42 68 53 00');
  });

  it('erasure anonymises the customer’s orders and carts and keeps totals, taxes and lines', async () => {
    const crypto = await fieldCrypto(t.ctx.db, t.ctx.secrets);
    const clear = async (
      table: 'orders' | 'carts' | 'order_events' | 'order_returns' | 'idempotency_keys',
    ) => {
      const rows = (await t.ctx.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
      const values = rows.flatMap((row) => Object.values(row).filter((v) => typeof v === 'string'));
      return (await Promise.all(values.map((v) => crypto.decryptLegacy(v as string)))).join('\n');
    };
    // Before: the stored Idempotency-Key responses hold A's email, address and phone (decrypted).
    const storedBefore = await clear('idempotency_keys');
    for (const needle of ['Quincampoix', a.email, a.email.toUpperCase(), '+33 1 42 68 53 00'])
      expect(storedBefore, needle).toContain(needle);
    await t.app.inject({
      method: 'POST',
      url: `/admin/orders/${aOrders[0]}/notes`,
      headers: owner,
      payload: { message: 'Zelda Quincey called about the Rue Quincampoix door code' },
    });
    const before = (await t.app.inject({ url: `/admin/orders?limit=50`, headers: owner })).json()
      .data as OrderOut[];
    const erase = await t.app.inject({
      method: 'POST',
      url: `/admin/customers/${a.id}/erase`,
      headers: owner,
    });
    expect(erase.statusCode).toBe(204);
    const after = (await t.app.inject({ url: `/admin/orders?limit=50`, headers: owner })).json()
      .data as OrderOut[];
    const money = (o: OrderOut) => ({
      subtotal: o.subtotal,
      discount_total: o.discount_total,
      shipping_total: o.shipping_total,
      tax_total: o.tax_total,
      total: o.total,
      items: o.items,
    });
    expect(after.map(money)).toEqual(before.map(money));
    for (const o of after) {
      // The books still add up: lines (tax-inclusive) plus shipping make the total.
      expect(o.items.reduce((s, l) => s + l.total, 0) + o.shipping_total).toBe(o.total);
      if (o.id === bOrder) {
        expect(o.email).toBe(b.email);
        continue;
      }
      expect(o.email).toBe(`erased+${a.id}@invalid`);
      expect(o.shipping_address).toEqual({ erased: true, country_code: 'fr' });
    }
    const timeline = await t.app.inject({ url: `/admin/orders/${aOrders[0]}/timeline`, headers: owner });
    expect(timeline.body).not.toContain('Quincampoix');
    expect(timeline.json().data.map((e: { kind: string }) => e.kind)).toContain('note');
    const found = await t.app.inject({
      url: `/admin/orders?email=${encodeURIComponent(a.email)}`,
      headers: owner,
    });
    expect(found.json().data).toEqual([]);
    // Decrypted, nothing of A's is left in orders, carts (theirs and the guest ones with their
    // email), notes, returns or stored Idempotency-Key responses; B's data is untouched.
    const everything = (
      await Promise.all(
        (['orders', 'carts', 'order_events', 'order_returns', 'idempotency_keys'] as const).map(clear),
      )
    ).join('\n');
    expect(everything).toContain('Oberkampf');
    // B's stored completion is still there to replay.
    expect(await clear('idempotency_keys')).toContain('Oberkampf');
    for (const needle of ['Quincampoix', 'Quincey', a.email, a.email.toUpperCase(), '+33 1 42 68 53 00'])
      expect(everything, needle).not.toContain(needle);
  });

  it('reads legacy plaintext rows, and rotation encrypts and indexes them', async () => {
    const crypto = await fieldCrypto(t.ctx.db, t.ctx.secrets);
    const before = (await t.app.inject({ url: `/admin/orders/${bOrder}`, headers: owner })).json();
    // A row as written before migration 0350: plaintext, no blind index.
    const row = await t.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', bOrder)
      .executeTakeFirstOrThrow();
    await t.ctx.db
      .updateTable('orders')
      .set({
        email: b.email,
        email_index: null,
        shipping_address: (await crypto.decryptLegacy(row.shipping_address))!,
      })
      .where('id', '=', bOrder)
      .execute();
    const legacy = await t.app.inject({ url: `/admin/orders/${bOrder}`, headers: owner });
    expect(legacy.json()).toEqual(before);
    expect((await keyUsage(t.ctx.db, t.ctx.secrets)).plaintext).toBe(2);
    const search = () =>
      t.app.inject({ url: `/admin/orders?email=${encodeURIComponent(b.email)}`, headers: owner });
    expect((await search()).json().data).toEqual([]);

    const report = await rotateKeys(t.ctx.db, t.ctx.secrets, { resume: true });
    expect(report.tables.find((r) => r.table === 'orders')!.rows).toBe(1);
    expect((await keyUsage(t.ctx.db, t.ctx.secrets)).plaintext).toBeUndefined();
    const stored = await t.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', bOrder)
      .executeTakeFirstOrThrow();
    expect(stored.email).toMatch(/^enc:v1:/);
    expect(stored.shipping_address).toMatch(/^enc:v1:/);
    expect((await search()).json().data.map((o: OrderOut) => o.id)).toEqual([bOrder]);
    expect((await t.app.inject({ url: `/admin/orders/${bOrder}`, headers: owner })).json()).toEqual(before);
  });
});
