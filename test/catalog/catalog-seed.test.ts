import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { superstoreProducts } from '../../src/modules/catalog/catalog.seed.js';
import { ensureDemoSeed } from '../../src/modules/catalog/index.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

describe('Superstore demo seed', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(async () => {
    await t.close();
  });

  it('derives list prices from order lines by undoing the discount', () => {
    const csv = [
      'Row ID,Order ID,Product ID,Category,Sub-Category,Product Name,Sales,Quantity,Discount',
      '1,A,FUR-1,Furniture,Chairs,"Chair, Black",100.00,2,0.2',
      '2,B,FUR-1,Furniture,Chairs,"Chair, Black",62.50,1,0',
      '3,C,FUR-1,Furniture,Chairs,"Chair, Black",125.00,2,0',
    ].join('\n');
    // 100 / 2 / 0.8 = 62.50; 62.50; 62.50: median 62.50 USD
    expect(superstoreProducts(csv)).toEqual([
      {
        sku: 'FUR-1',
        name: 'Chair, Black',
        category: 'Furniture',
        subCategory: 'Chairs',
        priceCents: 6250,
        unitsSold: 5,
      },
    ]);
  });

  it('loads categories, products, prices, regions and stock once, on the first start only', async () => {
    const first = await ensureDemoSeed(t.ctx.db);
    expect(first.seeded).toBe(true);
    const categories = await t.ctx.db.selectFrom('categories').select(['handle', 'parent_id']).execute();
    expect(
      categories
        .filter((c) => c.parent_id === null)
        .map((c) => c.handle)
        .sort(),
    ).toEqual(['furniture', 'office-supplies', 'technology']);
    expect(categories).toHaveLength(20);
    const products = await t.ctx.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(products.n)).toBeGreaterThan(1800);
    expect(await ensureDemoSeed(t.ctx.db)).toEqual({ seeded: false, ms: 0 });

    const app = await buildApp(t.ctx);
    try {
      const list = (await app.inject({ url: '/store/products?limit=5&sort=best_selling' })).json();
      expect(list.data).toHaveLength(5);
      expect(list.currency_code).toMatch(/^(usd|eur|pln|gbp)$/);
      expect(list.data[0].price.amount).toBeGreaterThan(0);
      const chairs = (await app.inject({ url: '/store/products?q=chairs&limit=50' })).json();
      expect(chairs.data.length).toBeGreaterThan(10);
      const inStock = (await app.inject({ url: '/store/products?in_stock=true&limit=100' })).json();
      expect(inStock.data.every((p: { in_stock: boolean }) => p.in_stock)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
