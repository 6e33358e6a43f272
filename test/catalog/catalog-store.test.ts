import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogApp, chairPayload, createCatalogApp, owner, stock } from './catalog-fixtures.js';

/** Counts every SQL statement sent through the app's Kysely instance (Saleor-style statement budget). */
class StatementCounter implements KyselyPlugin {
  count = 0;
  // transformQuery also runs for each part of a UNION; transformResult runs once per executed statement.
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

describe('storefront product reads', () => {
  let t: CatalogApp;
  const counter = new StatementCounter();
  const ids: Record<string, string> = {};
  const cats: Record<string, string> = {};
  let summer = '';

  const post = async (url: string, payload: unknown) => {
    const res = await t.app.inject({ method: 'POST', url, payload: payload as object, headers: owner });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
  const handles = async (query: string) => {
    const res = await get(`/store/products?region_id=${t.regionId}&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data.map((p: { handle: string }) => p.handle);
  };

  beforeAll(async () => {
    t = await createCatalogApp({
      beforeBuild: (app) => {
        app.ctx.db = app.ctx.db.withPlugin(counter);
        // Storefront reads go through the reader (the replica when one is set).
        app.ctx.database.reader = app.ctx.database.reader.withPlugin(counter);
      },
    });
    cats.furniture = (
      await post('/admin/categories', { name: 'Furniture', translations: { pl: { name: 'Meble' } } })
    ).id;
    cats.chairs = (await post('/admin/categories', { name: 'Chairs', parent_id: cats.furniture })).id;
    cats.tables = (await post('/admin/categories', { name: 'Tables', parent_id: cats.furniture })).id;
    summer = (await post('/admin/collections', { title: 'Summer' })).id;
    const oak = await post('/admin/products', chairPayload({ category_ids: [cats.chairs] }));
    ids.oak = oak.id;
    const table = await post('/admin/products', {
      title: 'Steel Table',
      status: 'published',
      tags: ['metal'],
      category_ids: [cats.tables],
      collection_ids: [summer],
      translations: { pl: { title: 'Stół stalowy', description: 'Mocny stół.' } },
      variants: [{ sku: 'TB-1', prices: [{ currency_code: 'usd', amount: 50000 }] }],
    });
    ids.table = table.id;
    const pine = await post('/admin/products', {
      title: 'Pine Chair',
      status: 'published',
      tags: ['wood'],
      category_ids: [cats.chairs],
      options: [{ name: 'Color', values: ['Natural'] }],
      variants: [
        { sku: 'PN-1', options: { Color: 'Natural' }, prices: [{ currency_code: 'usd', amount: 5000 }] },
      ],
    });
    ids.pine = pine.id;
    await post('/admin/products', {
      title: 'Draft Lamp',
      variants: [{ sku: 'LMP-1', prices: [{ currency_code: 'usd', amount: 900 }] }],
    });
    await stock(t, oak.variants[0].id, 5);
    await stock(t, oak.variants[1].id, 0);
    await stock(t, pine.variants[0].id, 3);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves a product by handle and by id with region prices, tax and availability', async () => {
    const res = await get(`/store/products/oak-chair?region_id=${t.regionId}`);
    expect(res.statusCode).toBe(200);
    const product = res.json();
    expect(product).toMatchObject({
      id: ids.oak,
      title: 'Oak Chair',
      currency_code: 'usd',
      region_id: t.regionId,
      in_stock: true,
    });
    expect(product.variants[0].price).toMatchObject({
      amount: 12900,
      amount_excl_tax: 12900,
      tax_amount: 1032,
      amount_incl_tax: 13932,
      tax_inclusive: false,
      tax_rate_bp: 800,
    });
    expect(product.variants[0].availability).toMatchObject({ available: 5, in_stock: true });
    expect(product.variants[1].availability).toMatchObject({ available: 0, in_stock: false });
    expect(product.price_range).toEqual({ min_amount: 12900, max_amount: 13900 });
    expect(product.media.find((m: { format?: string }) => m.format === 'usdz')).toBeTruthy();
    expect(product).not.toHaveProperty('translations');

    const pl = (await get(`/store/products/${ids.oak}?region_id=${t.plnRegionId}`)).json();
    // Tax-inclusive PLN region: 499.00 gross at 23 %.
    expect(pl.variants[0].price).toMatchObject({
      currency_code: 'pln',
      amount: 49900,
      amount_incl_tax: 49900,
      tax_amount: 9331,
      amount_excl_tax: 40569,
    });
    expect(pl.variants[1].price).toBeNull();
  });

  it('translates per locale with a per-field fallback to the default locale', async () => {
    const pl = (await get(`/store/products/oak-chair?region_id=${t.regionId}&locale=pl`)).json();
    expect(pl).toMatchObject({
      locale: 'pl',
      title: 'Krzesło dębowe',
      description: 'A sturdy chair made of oak.',
      seo_title: 'Oak chair | Stratus',
    });
    const plPl = (await get(`/store/products/oak-chair?region_id=${t.regionId}&locale=pl-PL`)).json();
    expect(plPl.title).toBe('Krzesło dębowe');
    const de = (await get(`/store/products/oak-chair?region_id=${t.regionId}&locale=de`)).json();
    expect(de.title).toBe('Oak Chair');
    const categories = (await get('/store/categories?locale=pl')).json().data;
    expect(categories.find((c: { id: string }) => c.id === cats.furniture).name).toBe('Meble');
    expect(categories.find((c: { id: string }) => c.id === cats.chairs).name).toBe('Chairs');
    const collections = (await get('/store/collections?locale=pl')).json().data;
    expect(collections).toEqual([{ id: summer, handle: 'summer', title: 'Summer', description: '' }]);
  });

  it('hides drafts and answers unknown products with 404', async () => {
    expect((await get(`/store/products/draft-lamp?region_id=${t.regionId}`)).statusCode).toBe(404);
    expect((await get(`/store/products/prod_nothing?region_id=${t.regionId}`)).statusCode).toBe(404);
    expect(await handles('limit=50')).not.toContain('draft-lamp');
  });

  it('sends strong ETags and Cache-Control, and answers If-None-Match with 304 from the cache', async () => {
    const url = `/store/products/steel-table?region_id=${t.regionId}`;
    const first = await get(url);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toContain('max-age=');
    const again = await get(url, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers['x-cache']).toBe('hit');
    expect((await get(url, { 'if-none-match': '"other"' })).statusCode).toBe(200);
    const list = await get(`/store/products?region_id=${t.regionId}`);
    expect(
      (await get(`/store/products?region_id=${t.regionId}`, { 'if-none-match': String(list.headers.etag) }))
        .statusCode,
    ).toBe(304);
  });

  it('invalidates exactly the entries a product write affects', async () => {
    const oakUrl = `/store/products/oak-chair?region_id=${t.regionId}`;
    const tableUrl = `/store/products/steel-table?region_id=${t.regionId}`;
    await get(oakUrl);
    await get(tableUrl);
    const before = await get(oakUrl);
    expect(before.headers['x-cache']).toBe('hit');
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/products/${ids.oak}`,
      payload: { description: 'Now oiled.' },
      headers: owner,
    });
    expect(patched.statusCode).toBe(200);
    const after = await get(oakUrl, { 'if-none-match': String(before.headers.etag) });
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.json().description).toBe('Now oiled.');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((await get(tableUrl)).headers['x-cache']).toBe('hit');
  });

  it('pages with keyset cursors and sorts by newest, price and best-selling', async () => {
    expect(await handles('')).toEqual(['pine-chair', 'steel-table', 'oak-chair']);
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 5; i++) {
      const page = (await get(`/store/products?region_id=${t.regionId}&limit=1${cursor}`)).json();
      seen.push(...page.data.map((p: { handle: string }) => p.handle));
      if (!page.next_cursor) break;
      cursor = `&cursor=${page.next_cursor}`;
    }
    expect(seen).toEqual(['pine-chair', 'steel-table', 'oak-chair']);
    expect(await handles('sort=price_asc')).toEqual(['pine-chair', 'oak-chair', 'steel-table']);
    expect(await handles('sort=price_desc')).toEqual(['steel-table', 'oak-chair', 'pine-chair']);
    const page1 = (await get(`/store/products?region_id=${t.regionId}&sort=price_asc&limit=2`)).json();
    const page2 = (
      await get(`/store/products?region_id=${t.regionId}&sort=price_asc&limit=2&cursor=${page1.next_cursor}`)
    ).json();
    expect(page2.data.map((p: { handle: string }) => p.handle)).toEqual(['steel-table']);
    expect(page1.data[0].price).toMatchObject({ amount: 5000, currency_code: 'usd' });
    expect(await handles('sort=best_selling')).toHaveLength(3);
    expect((await get(`/store/products?region_id=${t.regionId}&cursor=nonsense`)).statusCode).toBe(400);
  });

  it('filters by category (with sub-categories), collection, tag, options, price range and stock', async () => {
    expect((await handles(`category_id=${cats.furniture}`)).sort()).toEqual([
      'oak-chair',
      'pine-chair',
      'steel-table',
    ]);
    expect(await handles(`category_id=${cats.chairs}`)).toEqual(['pine-chair', 'oak-chair']);
    expect(await handles(`collection_id=${summer}`)).toEqual(['steel-table']);
    expect(await handles('tag=wood')).toEqual(['pine-chair', 'oak-chair']);
    expect(await handles('option=Color:Black')).toEqual(['oak-chair']);
    expect(await handles('option=Color:Black&option=Color:Natural')).toEqual(['pine-chair', 'oak-chair']);
    expect(await handles('option=Color:Natural&option=Size:M')).toEqual(['oak-chair']);
    expect(await handles('min_price=10000')).toEqual(['steel-table', 'oak-chair']);
    expect(await handles('max_price=6000')).toEqual(['pine-chair']);
    expect(await handles('in_stock=true')).toEqual(['pine-chair', 'oak-chair']);
    expect(await handles('in_stock=true&limit=1')).toEqual(['pine-chair']);
    expect((await get(`/store/products?region_id=${t.regionId}&option=nocolon`)).statusCode).toBe(400);
  });

  it('counts facets over the filtered set', async () => {
    const res = (
      await get(`/store/products?region_id=${t.regionId}&facets=true&category_id=${cats.furniture}`)
    ).json();
    const count = (facet: string, value: string, name: string | null = null) =>
      res.facets.find(
        (f: { facet: string; value: string; name: string | null }) =>
          f.facet === facet && f.value === value && f.name === name,
      )?.count;
    expect(count('tag', 'wood')).toBe(2);
    expect(count('tag', 'metal')).toBe(1);
    expect(count('category', cats.chairs!)).toBe(2);
    expect(count('collection', summer)).toBe(1);
    expect(count('option', 'Natural', 'Color')).toBe(2);
    expect(count('option', 'M', 'Size')).toBe(1);
    const woodOnly = (await get(`/store/products?region_id=${t.regionId}&facets=true&tag=wood`)).json();
    expect(woodOnly.facets.find((f: { value: string }) => f.value === 'metal')).toBeUndefined();
  });

  it('searches with prefixes in English and Polish, diacritics optional', async () => {
    expect(await handles('q=chai')).toEqual(['pine-chair', 'oak-chair']);
    expect(await handles('q=chairs')).toEqual(['pine-chair', 'oak-chair']);
    expect(await handles('q=krzeslo')).toEqual(['oak-chair']);
    expect(await handles('q=krzesła')).toEqual(['oak-chair']);
    expect(await handles('q=D%C4%99bowe')).toEqual(['oak-chair']);
    expect(await handles('q=stol%20stal')).toEqual(['steel-table']);
    expect(await handles('q=oak%20steel')).toEqual([]);
    expect(await handles('q=CH-BLK')).toEqual(['oak-chair']);
    expect(await handles('q=chair&sort=price_desc')).toEqual(['oak-chair', 'pine-chair']);
  });

  it('keeps uncached detail and list requests within 3 SQL statements', async () => {
    await get(`/store/products/pine-chair?region_id=${t.regionId}&locale=en-GB`); // warms the region memo
    counter.count = 0;
    const detail = await get(`/store/products/oak-chair?region_id=${t.regionId}&locale=fr`);
    expect(detail.headers['x-cache']).toBe('miss');
    expect(counter.count).toBeLessThanOrEqual(3);
    expect(counter.count).toBeGreaterThan(0);
    counter.count = 0;
    const list = await get(`/store/products?region_id=${t.regionId}&limit=20&locale=fr`);
    expect(list.headers['x-cache']).toBe('miss');
    expect(list.json().data).toHaveLength(3);
    expect(counter.count).toBeLessThanOrEqual(3);
    counter.count = 0;
    await get(`/store/products/oak-chair?region_id=${t.regionId}&locale=fr`);
    expect(counter.count).toBe(0);
  });
});

describe('storefront search order', () => {
  let t: CatalogApp;
  beforeAll(async () => {
    t = await createCatalogApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const admin = async (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, headers: owner, ...(payload ? { payload } : {}) });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.statusCode === 204 ? null : res.json();
  };
  const lamp = (n: number) => ({
    title: `Zephyr Lamp ${n}`,
    status: 'published',
    variants: [{ sku: `ZL-${n}`, prices: [{ currency_code: 'usd', amount: 1000 + n }] }],
  });
  /** Every page of a search, two products a page, following the cursor. */
  const search = async (query: string) => {
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const res = await t.app.inject({
        url: `/store/products?region_id=${t.regionId}&limit=2&${query}${cursor}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().data.map((p: { handle: string }) => p.handle));
      if (!res.json().next_cursor) return seen;
      cursor = `&cursor=${res.json().next_cursor}`;
    }
    throw new Error('the cursor never ended');
  };

  it('pages matches newest first, keeps a changed product in place and drops a deleted one', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 7; n++) ids.push((await admin('POST', '/admin/products', lamp(n))).id);
    await admin('POST', '/admin/products', { ...lamp(99), title: 'Desk Fan' });
    const newestFirst = [6, 5, 4, 3, 2, 1, 0].map((n) => `zephyr-lamp-${n}`);
    expect(await search('q=zeph')).toEqual(newestFirst);
    expect(await search('q=lamp&sort=newest')).toEqual(newestFirst);

    // Rewriting a product's search text (a new title, a new variant) keeps its place.
    await admin('PATCH', `/admin/products/${ids[2]}`, {
      title: 'Zephyr Lamp Two',
      description: 'Brass zephyr',
    });
    expect(await search('q=zephyr')).toEqual(newestFirst);
    expect(await search('q=brass')).toEqual(['zephyr-lamp-2']);
    await admin('DELETE', `/admin/products/${ids[5]}`);
    expect(await search('q=zeph')).toEqual(newestFirst.filter((h) => h !== 'zephyr-lamp-5'));

    // A product made now is the newest match; other sorts still see every match.
    await admin('POST', '/admin/products', lamp(7));
    const now = await search('q=zeph');
    expect(now[0]).toBe('zephyr-lamp-7');
    expect(now).toHaveLength(7);
    expect(await search('q=zeph&sort=price_desc')).toEqual([
      'zephyr-lamp-7',
      'zephyr-lamp-6',
      'zephyr-lamp-4',
      'zephyr-lamp-3',
      'zephyr-lamp-2',
      'zephyr-lamp-1',
      'zephyr-lamp-0',
    ]);
  });
});
