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
  let chairVariant = '';
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
    chairVariant = chair.variants[0].id;
    const admin = async (url: string, payload: object) => {
      const res = await t.app.inject({ method: 'POST', url, headers: owner, payload });
      expect(res.statusCode, res.body).toBe(201);
    };
    await admin('/admin/shipping-options', {
      region_id: t.regionId,
      name: 'Courier',
      price_type: 'flat',
      amount: 1000,
    });
    await admin('/admin/promotions', { code: 'SAVE10', kind: 'percentage', value: 1000 });
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
      // And the cart the storefront talks to refuses it too.
      const product = (await t.app.inject({ url: `/store/products/${soldOutHandle}` })).json();
      const cart = (await t.app.inject({ method: 'POST', url: '/store/carts', payload: {} })).json();
      const refused = await t.app.inject({
        method: 'POST',
        url: `/store/carts/${cart.id}/line-items`,
        payload: { variant_id: product.variants[0].id, quantity: 1 },
      });
      expect(refused.statusCode).toBe(409);
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
      // A sub-category facet narrows to that category, keeping the sort.
      const facet = page.getByRole('navigation', { name: 'Categories' }).getByRole('link').first();
      const facetName = (await facet.textContent())!.replace(/\s*\(\d+\)$/, '');
      await facet.click();
      await page.getByRole('heading', { level: 1, name: facetName }).waitFor();
      expect(page.url()).toContain('sort=price_asc');
      // "In stock only" drops sold-out products from the results.
      await page.getByRole('checkbox', { name: 'In stock only' }).check();
      await expect.poll(() => page.url()).toContain('in_stock=true');
      await expect.poll(() => page.locator('.badge--out').count()).toBe(0);
      expect(await cards.count()).toBeGreaterThan(0);
    });
  });

  /** From the product page to the review step: add, apply the code on the cart page, fill the checkout. */
  async function toReview(page: Page, email: string) {
    await page.getByRole('button', { name: 'Natural', exact: true }).click();
    await page.getByTestId('add-to-cart').click();
    const drawer = page.getByTestId('cart-drawer');
    await drawer.getByTestId('cart-line').waitFor();
    expect(await drawer.getByTestId('line-quantity').textContent()).toBe('1');
    await drawer.getByRole('link', { name: 'View cart' }).click();
    await page.getByRole('textbox', { name: 'Discount code' }).fill('SAVE10');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('applied-code').waitFor();
    // 10 % of $129.00, from the server's totals engine.
    expect(await page.getByTestId('discount-total').textContent()).toBe('−$12.90');
    await page.getByRole('link', { name: 'Checkout' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill(email);
    await page.getByRole('textbox', { name: 'First name' }).fill('Ada');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Lovelace');
    await page.getByRole('textbox', { name: 'Street and number' }).fill('1 Main St');
    await page.getByRole('textbox', { name: 'Postal code' }).fill('10001');
    await page.getByRole('textbox', { name: 'City' }).fill('New York');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: /Courier/ }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('radio', { name: 'Bank transfer' }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('place-order').waitFor();
    return Number(await page.getByTestId('grand-total').getAttribute('data-amount'));
  }

  async function ordersFor(email: string) {
    const res = await t.app.inject({ url: '/admin/orders?limit=100', headers: owner });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().data as Array<{ id: string; email: string }>).filter((o) => o.email === email);
  }

  it('lets a guest search, pick a variant, add to cart, apply a discount, check out with manual payment and see the confirmation', async () => {
    await inPage('storefront-guest-checkout', async (page) => {
      await page.goto(`${base}/`);
      await page.getByRole('searchbox', { name: 'Search products' }).fill('oak');
      await page
        .getByTestId('search-suggestions')
        .getByRole('link', { name: /Oak Chair/ })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Oak Chair' }).waitFor();
      const shownTotal = await toReview(page, 'ada@example.com');
      await page.getByTestId('place-order').click();
      await page.getByTestId('confirmation').waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you for your order');
      const [order] = await ordersFor('ada@example.com');
      expect(order).toBeDefined();
      const full = (await t.app.inject({ url: `/admin/orders/${order!.id}`, headers: owner })).json();
      expect(full).toMatchObject({
        subtotal: 12900,
        discount_total: 1290,
        shipping_total: 1000,
        currency_code: 'usd',
      });
      // US prices are tax-exclusive: total = subtotal − discount + shipping + tax.
      expect(full.total).toBe(full.subtotal - full.discount_total + full.shipping_total + full.tax_total);
      expect(full.tax_total).toBeGreaterThan(0);
      expect(full.total).toBe(shownTotal);
      expect(full.items).toEqual([expect.objectContaining({ variant_id: chairVariant, quantity: 1 })]);
      expect(await page.getByTestId('order-total').textContent()).toBe(`$${(full.total / 100).toFixed(2)}`);
      expect(await page.getByTestId('confirmation').textContent()).toContain(full.display_number);
      // The cart is gone from the shop once ordered.
      expect(await page.getByTestId('cart-button').locator('.badge').textContent()).toBe('0');
    });
  });

  it('creates one order when "Place order" is double-clicked, and sends an Idempotency-Key', async () => {
    await inPage('storefront-double-submit', async (page) => {
      const completions: Array<string | undefined> = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/complete')) completions.push(request.headers()['idempotency-key']);
      });
      await page.goto(`${base}/products/${chairHandle}`);
      await page.getByRole('heading', { level: 1, name: 'Oak Chair' }).waitFor();
      await toReview(page, 'twice@example.com');
      await page.getByTestId('place-order').dblclick();
      await page.getByTestId('confirmation').waitFor();
      expect(await ordersFor('twice@example.com')).toHaveLength(1);
      expect(completions.length).toBeGreaterThan(0);
      expect(completions.every((key) => key && key === completions[0])).toBe(true);
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
