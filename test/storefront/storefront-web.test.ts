import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogApp,
  chairPayload,
  createCatalogApp,
  owner,
  stock,
} from '../catalog/catalog-fixtures.js';

/** Every JSON-LD document in an HTML page. */
function jsonLd(html: string): Array<Record<string, unknown>> {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map((m) =>
    JSON.parse(m[1]!),
  );
}
const meta = (html: string, attr: string, name: string) =>
  html.match(new RegExp(`<meta ${attr}="${name}" content="([^"]*)"`))?.[1];

describe('storefront web: pages served by Stratus', () => {
  let t: CatalogApp;
  let chair: { id: string; handle: string; variants: Array<{ id: string; sku: string }> };
  let categoryHandle = '';

  beforeAll(async () => {
    t = await createCatalogApp();
    const category = await t.app.inject({
      method: 'POST',
      url: '/admin/categories',
      headers: owner,
      payload: {
        name: 'Chairs',
        description: 'Seats for every room',
        translations: { pl: { name: 'Krzesła' } },
      },
    });
    expect(category.statusCode, category.body).toBe(201);
    categoryHandle = category.json().handle;
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/products',
      headers: owner,
      payload: chairPayload({
        category_ids: [category.json().id],
        description: 'A sturdy <b>chair</b> made of oak.',
      }),
    });
    expect(created.statusCode, created.body).toBe(201);
    chair = created.json();
    await stock(t, chair.variants[0]!.id, 7);
    await stock(t, chair.variants[1]!.id, 0);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('renders the product head without JavaScript: title, description, canonical, Open Graph and JSON-LD with price and availability', async () => {
    const res = await t.app.inject({
      url: `/products/${chair.handle}`,
      headers: { host: 'shop.example.com' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const html = res.body;
    expect(html).toContain('<title>Oak chair | Stratus | Stratus Store</title>');
    expect(meta(html, 'name', 'description')).toBe('A sturdy chair made of oak.');
    expect(html).toContain(
      `<link rel="canonical" href="http://shop.example.com/products/${chair.handle}" />`,
    );
    expect(meta(html, 'property', 'og:type')).toBe('product');
    expect(meta(html, 'property', 'og:image')).toBe('https://cdn.example.com/chair.jpg');
    const [product] = jsonLd(html);
    expect(product).toMatchObject({ '@type': 'Product', name: 'Oak Chair', sku: 'CH-NAT-S' });
    // The US region is the default (oldest): USD, tax-exclusive, so the shopper's price is the net price.
    expect(product!.offers).toEqual([
      expect.objectContaining({
        sku: 'CH-NAT-S',
        price: '129.00',
        priceCurrency: 'USD',
        availability: 'https://schema.org/InStock',
      }),
      expect.objectContaining({
        sku: 'CH-BLK-M',
        price: '139.00',
        priceCurrency: 'USD',
        availability: 'https://schema.org/OutOfStock',
      }),
    ]);
    // The product read is embedded so the app's first paint needs no request.
    expect(html).toContain('<script type="application/json" id="stratus-product">');
  });

  it('renders the head in the requested region and language', async () => {
    const res = await t.app.inject({ url: `/products/${chair.handle}?lang=pl&region=${t.plnRegionId}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>Oak chair | Stratus | Stratus Store</title>');
    const [product] = jsonLd(res.body);
    expect(product!.name).toBe('Krzesło dębowe');
    // Only the first variant has a PLN price; PLN prices are tax-inclusive as set.
    expect(product!.offers).toMatchObject({ price: '499.00', priceCurrency: 'PLN' });
    expect(meta(res.body, 'property', 'og:locale')).toBe('pl_PL');
    // A language the shop does not speak falls back to English rather than failing the page.
    const german = await t.app.inject({ url: `/products/${chair.handle}?lang=de` });
    expect(german.statusCode).toBe(200);
    expect(jsonLd(german.body)[0]!.name).toBe('Oak Chair');
  });

  it('serves product pages from the cache with a strong ETag and answers 304', async () => {
    const url = `/products/${chair.handle}?lang=en`;
    const first = await t.app.inject({ url });
    const second = await t.app.inject({ url });
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(second.headers['cache-control']).toContain('public');
    const revalidated = await t.app.inject({ url, headers: { 'if-none-match': String(first.headers.etag) } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
  });

  it('drops the cached page when the product changes', async () => {
    const url = `/products/${chair.handle}`;
    await t.app.inject({ url });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/products/${chair.id}`,
      headers: owner,
      payload: { seo_description: 'Now with a new description.' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = await t.app.inject({ url });
    expect(after.headers['x-cache']).toBe('miss');
    expect(meta(after.body, 'name', 'description')).toBe('Now with a new description.');
  });

  it('answers 404 with a noindex shell for unknown and unpublished products', async () => {
    const res = await t.app.inject({ url: '/products/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<meta name="robots" content="noindex" />');
    expect(jsonLd(res.body)).toEqual([]);
  });

  it('renders category heads in the chosen language', async () => {
    const res = await t.app.inject({ url: `/categories/${categoryHandle}?lang=pl` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>Krzesła | Stratus Store</title>');
    expect(meta(res.body, 'name', 'description')).toBe('Seats for every room');
    expect(jsonLd(res.body)[0]).toMatchObject({ '@type': 'CollectionPage', name: 'Krzesła' });
    expect((await t.app.inject({ url: '/categories/nope' })).statusCode).toBe(404);
  });

  it('serves sitemap.xml with home, categories and published products, and robots.txt pointing at it', async () => {
    const sitemap = await t.app.inject({ url: '/sitemap.xml', headers: { host: 'shop.example.com' } });
    expect(sitemap.statusCode).toBe(200);
    expect(sitemap.headers['content-type']).toContain('application/xml');
    expect(sitemap.body).toContain('<loc>http://shop.example.com/</loc>');
    expect(sitemap.body).toContain(`<loc>http://shop.example.com/products/${chair.handle}</loc>`);
    expect(sitemap.body).toContain(`<loc>http://shop.example.com/categories/${categoryHandle}</loc>`);
    const robots = await t.app.inject({ url: '/robots.txt', headers: { host: 'shop.example.com' } });
    expect(robots.body).toContain('Sitemap: http://shop.example.com/sitemap.xml');
    expect(robots.body).toContain('Disallow: /admin/');
  });

  it('serves the app shell for client routes and keeps API 404s as JSON', async () => {
    for (const url of ['/', '/search?q=chair', '/cart', '/checkout']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<div id="root"></div>');
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
    // The account pages, including the ones emails link to, are client routes kept out of indexes.
    for (const url of [
      '/account',
      '/account/login',
      '/account/reset-password?token=abc.def',
      '/account/verify?token=abc.def',
      '/account/orders',
      '/account/orders/ord_01JX0000000000000000000000',
      '/account/addresses',
      '/account/privacy',
    ]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('<meta name="robots" content="noindex" />');
    }
    expect((await t.app.inject({ url: '/account/nope' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/robots.txt' })).body).toContain('Disallow: /account');
    const unknownPage = await t.app.inject({ url: '/no/such/page' });
    expect(unknownPage.statusCode).toBe(404);
    expect(unknownPage.headers['content-type']).toContain('text/html');
    for (const url of ['/store/nothing-here', '/admin/nothing-here', '/assets/missing.js']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('NOT_FOUND');
    }
    // The store and admin APIs still answer under their prefixes.
    expect((await t.app.inject({ url: `/store/products/${chair.handle}` })).statusCode).toBe(200);
  });

  it('serves hashed assets compressed with year-long immutable caching', async () => {
    const shell = (await t.app.inject({ url: '/' })).body;
    const script = shell.match(/<script type="module" crossorigin src="([^"]+)"/)?.[1];
    expect(script).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const res = await t.app.inject({ url: script!, headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toContain('text/javascript');
    const plain = await t.app.inject({ url: script! });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('createRoot');
  });
});
