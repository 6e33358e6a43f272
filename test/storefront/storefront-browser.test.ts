import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCatalog } from '../../src/modules/catalog/index.js';
import {
  type CatalogApp,
  chairPayload,
  createCatalogApp,
  owner,
  stock,
} from '../catalog/catalog-fixtures.js';
import { hasChromium, launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';
import { testDialect } from '../helpers/test-context.js';

const metricsFile = path.resolve(import.meta.dirname, '../../test-results/storefront-metrics.json');

// The storefront in a real browser, against a real Stratus with the demo catalog.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('storefront in Chromium', () => {
  let t: CatalogApp;
  let browser: Browser;
  let base = '';
  let chairHandle = '';
  let soldOutHandle = '';
  const metrics: Record<string, number> = {};

  beforeAll(async () => {
    t = await createCatalogApp();
    await seedDemoCatalog(t.ctx.db);
    const post = async (payload: unknown) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/products',
        headers: owner,
        payload: payload as object,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    };
    const chair = await post(chairPayload({ media: [] }));
    chairHandle = chair.handle;
    await stock(t, chair.variants[0].id, 7);
    await stock(t, chair.variants[1].id, 0);
    const soldOut = await post({
      title: 'Sold Out Lamp',
      status: 'published',
      variants: [{ sku: 'LAMP-1', prices: [{ currency_code: 'usd', amount: 4500 }] }],
    });
    soldOutHandle = soldOut.handle;
    await stock(t, soldOut.variants[0].id, 0);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (Object.keys(metrics).length > 0) {
      mkdirSync(path.dirname(metricsFile), { recursive: true });
      writeFileSync(metricsFile, `${JSON.stringify(metrics, null, 2)}\n`);
    }
  });

  async function inPage<T>(name: string, run: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      return await withScreenshotOnFailure(page, name, () => run(page));
    } finally {
      await context.close();
    }
  }

  it('finds a product through search as you type and offers only combinations that exist and are in stock', async () => {
    await inPage('storefront-search-variant', async (page) => {
      await page.goto(`${base}/`);
      await page.getByTestId('product-card').first().waitFor();
      await page.getByRole('searchbox', { name: 'Search products' }).fill('oak ch');
      const suggestion = page.getByTestId('search-suggestions').getByRole('link', { name: /Oak Chair/ });
      await suggestion.click();
      await page.getByRole('heading', { level: 1, name: 'Oak Chair' }).waitFor();
      expect(page.url()).toBe(`${base}/products/${chairHandle}`);
      await expect.poll(() => page.getByTestId('price').first().textContent()).toContain('$129.00');
      expect(await page.getByTestId('tax-note').textContent()).toBe('excl. tax (8% added at checkout)');
      expect(await page.getByTestId('stock-state').textContent()).toBe('In stock');
      // Natural/S is the only purchasable variant; Black/M exists but is sold out.
      const option = (name: string) => page.getByRole('button', { name, exact: true });
      expect(await option('Natural').isEnabled()).toBe(true);
      expect(await option('S').isEnabled()).toBe(true);
      expect(await option('Black').isDisabled()).toBe(true);
      expect(await option('M').isDisabled()).toBe(true);
      expect(await page.getByTestId('add-to-cart').isEnabled()).toBe(true);
    });
  });

  it('cannot add an out-of-stock variant', async () => {
    await inPage('storefront-out-of-stock', async (page) => {
      await page.goto(`${base}/products/${soldOutHandle}`);
      await page.getByRole('heading', { level: 1, name: 'Sold Out Lamp' }).waitFor();
      const add = page.getByTestId('add-to-cart');
      expect(await add.isDisabled()).toBe(true);
      expect(await add.textContent()).toBe('Out of stock');
      expect(await page.getByTestId('stock-state').textContent()).toBe('Out of stock');
    });
  });

  it('switches language and region: Polish text, PLN price with VAT included, from the server', async () => {
    await inPage('storefront-switch', async (page) => {
      await page.goto(`${base}/products/${chairHandle}`);
      await page.getByRole('heading', { level: 1, name: 'Oak Chair' }).waitFor();
      await page.getByTestId('language-select').selectOption('pl');
      await page.getByRole('heading', { level: 1, name: 'Krzesło dębowe' }).waitFor();
      expect(await page.getByTestId('add-to-cart').textContent()).toBe('Dodaj do koszyka');
      await page.getByTestId('region-select').selectOption(t.plnRegionId);
      await expect.poll(() => page.getByTestId('price').first().textContent()).toMatch(/499,00\s*zł/);
      expect(await page.getByTestId('tax-note').textContent()).toBe('zawiera 23% VAT');
      expect(await page.evaluate('document.documentElement.lang')).toBe('pl');
    });
  });

  it('filters a category by facet, sorts, and loads more with the keyset cursor', async () => {
    await inPage('storefront-listing', async (page) => {
      const categories = (await t.app.inject({ url: '/store/categories' })).json().data as Array<{
        handle: string;
        parent_id: string | null;
      }>;
      const top = categories.find((c) => c.parent_id === null)!;
      await page.goto(`${base}/categories/${top.handle}?sort=price_asc`);
      const cards = page.getByTestId('product-card');
      await expect.poll(() => cards.count()).toBe(24);
      const prices = async () =>
        page
          .locator('[data-testid="product-card"] .price__amount')
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-amount'))));
      const firstPage = await prices();
      expect(firstPage).toEqual([...firstPage].sort((a, b) => a - b));
      await page.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(() => cards.count()).toBe(48);
      const both = await prices();
      expect(both).toEqual([...both].sort((a, b) => a - b));
      expect(
        new Set(
          await cards.locator('a.card__link').evaluateAll((els) => els.map((e) => e.getAttribute('href'))),
        ).size,
      ).toBe(48);
    });
  });

  it('measures the product page: JS gzipped and Largest Contentful Paint', async () => {
    const demo = (await t.app.inject({ url: '/store/products?sort=best_selling&limit=1' })).json().data[0];
    await inPage('storefront-lcp', async (page) => {
      const scripts: string[] = [];
      page.on('response', (response) => {
        if (response.request().resourceType() === 'script') scripts.push(response.url());
      });
      await page.goto(`${base}/products/${demo.handle}`, { waitUntil: 'load' });
      await page.getByRole('heading', { level: 1, name: demo.title }).waitFor();
      // The page's own PerformanceObserver, with buffered entries: the last LCP candidate wins.
      const lcp = Number(
        await page.evaluate(`new Promise((resolve) => {
          new PerformanceObserver((list) => {
            const entries = list.getEntries();
            resolve(entries[entries.length - 1].startTime);
          }).observe({ type: 'largest-contentful-paint', buffered: true });
        })`),
      );
      let gzipped = 0;
      for (const url of scripts) {
        const res = await t.app.inject({ url: new URL(url).pathname });
        gzipped += gzipSync(res.rawPayload, { level: 9 }).length;
      }
      metrics.product_page_lcp_ms = Math.round(lcp);
      metrics.product_page_js_gzip_bytes = gzipped;
      metrics.product_page_scripts = scripts.length;
      console.log(
        `storefront product page: LCP ${Math.round(lcp)} ms, JS ${(gzipped / 1024).toFixed(1)} KB gzipped in ${scripts.length} file(s)`,
      );
      expect(lcp).toBeGreaterThan(0);
      expect(scripts.length).toBeGreaterThan(0);
      // The budget is a size, not a time, so it can be asserted: 120 KB gzipped for the product page.
      expect(gzipped).toBeLessThan(120 * 1024);
    });
  });
});
