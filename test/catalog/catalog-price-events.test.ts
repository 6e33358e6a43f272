import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPricesForVariants } from '../../src/modules/pricing/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { type CatalogApp, chairPayload, createCatalogApp, owner, stock } from './catalog-fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('storefront cache and price index follow pricing and inventory writes', () => {
  let t: CatalogApp;
  beforeAll(async () => {
    t = await createCatalogApp({ worker: true });
    t.runtime.worker!.start();
  });
  afterAll(async () => {
    await t.close();
  });

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    let value = await read();
    for (let i = 0; i < 200 && !done(value); i++) {
      await sleep(20);
      value = await read();
    }
    return value;
  }

  async function pendingDeliveries(): Promise<number> {
    const row = await t.ctx.db
      .selectFrom('outbox_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['pending', 'processing'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('a price set through the pricing module drops cached reads and re-sorts price lists', async () => {
    const oak = (
      await t.app.inject({ method: 'POST', url: '/admin/products', payload: chairPayload(), headers: owner })
    ).json();
    const pine = (
      await t.app.inject({
        method: 'POST',
        url: '/admin/products',
        payload: {
          title: 'Pine',
          status: 'published',
          variants: [{ sku: 'PN', prices: [{ currency_code: 'usd', amount: 20000 }] }],
        },
        headers: owner,
      })
    ).json();
    // Creating them queued price and stock events; once the worker has handled them, nothing else
    // drops the entries these reads cache.
    t.ctx.pokeOutbox();
    expect(await until(pendingDeliveries, (n) => n === 0)).toBe(0);
    const detail = `/store/products/oak-chair?region_id=${t.regionId}`;
    const sorted = `/store/products?region_id=${t.regionId}&sort=price_asc`;
    expect((await t.app.inject({ url: detail })).json().variants[0].price.amount).toBe(12900);
    expect((await t.app.inject({ url: sorted })).json().data.map((p: { id: string }) => p.id)).toEqual([
      oak.id,
      pine.id,
    ]);
    expect((await t.app.inject({ url: detail })).headers['x-cache']).toBe('hit');

    // Not through the catalog: the pricing module's own service, as its admin API does.
    await inTransaction(t.ctx.db, (trx) =>
      setPricesForVariants(
        trx,
        oak.variants.map((v: { id: string }) => ({
          variant_id: v.id,
          prices: [{ currency_code: 'usd', amount: 30000 }],
        })),
      ),
    );
    t.ctx.pokeOutbox();
    const after = await until(
      async () => (await t.app.inject({ url: detail })).json(),
      (p) => p.variants[0].price.amount === 30000,
    );
    expect(after.variants[0].price.amount).toBe(30000);
    const list = await until(
      async () => (await t.app.inject({ url: sorted })).json(),
      (l) => l.data[0]?.id === pine.id,
    );
    expect(list.data.map((p: { id: string }) => p.id)).toEqual([pine.id, oak.id]);

    // A stock adjustment drops the cached detail too.
    await stock(t, oak.variants[1].id, 7);
    t.ctx.pokeOutbox();
    const restocked = await until(
      async () => (await t.app.inject({ url: detail })).json(),
      (p) => p.variants[1].availability.available === 7,
    );
    expect(restocked.variants[1].availability).toMatchObject({ available: 7, in_stock: true });
  });
});
