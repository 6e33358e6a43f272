import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../checkout/store-fixture.js';
import { hasChromium, withScreenshotOnFailure } from '../helpers/browser.js';
import { type StaffCredentials, staffCredentials } from '../helpers/identity.js';
import { testDialect } from '../helpers/test-context.js';
import { startAdminBrowser } from './admin-fixture.js';

const owner = { 'x-test-principal': 'owner' };

// The catalog screens (product editor, categories, collections, price lists) in a real browser, signed in as
// a catalog manager; every change is then read back through the admin API and the storefront.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('admin catalog screens in Chromium', () => {
  let t: Store;
  let browser: Browser;
  let base = '';

  let close = async () => {};

  beforeAll(async () => {
    ({ t, base, browser, close } = await startAdminBrowser());
  });
  afterAll(() => close());

  async function inPage<T>(name: string, run: (page: Page) => Promise<T>): Promise<T> {
    // A tablet's width: the screens must work without the desktop sidebar.
    const context = await browser.newContext({
      viewport: { width: 820, height: 1180 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    try {
      return await withScreenshotOnFailure(page, name, () => run(page));
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page, staff: StaffCredentials) {
    await page.goto(`${base}/admin`);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('edits a product fully, files it in a category and a collection and puts it on sale', async () => {
    const manager = await staffCredentials(t, 'catalog_manager');
    const product = (await t.app.inject({ url: '/admin/products?q=Product 1', headers: owner }))
      .json()
      .data.find((p: { title: string }) => p.title === 'Product 1') as {
      id: string;
      variants: Array<{ id: string }>;
    };
    const variantId = product.variants[0]!.id;
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString().slice(0, 16);
    const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);

    await inPage('admin-product-editor', async (page) => {
      await signIn(page, manager);
      await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();

      // A category, from the categories screen.
      await page.getByRole('link', { name: 'Categories' }).click();
      await page.getByRole('heading', { level: 1, name: 'Categories' }).waitFor();
      await page.getByRole('button', { name: 'New category' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Chairs');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page
        .getByTestId('categories-table')
        .getByRole('row', { name: /Chairs/ })
        .waitFor();

      // A collection, and the product added to it from the collection's product panel.
      await page.getByRole('link', { name: 'Collections' }).click();
      await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
      await page.getByRole('button', { name: 'New collection' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Summer');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page
        .getByTestId('collections-table')
        .getByRole('row', { name: /Summer/ })
        .waitFor();
      await page.getByRole('button', { name: 'Products in Summer' }).click();
      await page.getByLabel('Find a product to add').fill('Product 1');
      await page.getByRole('button', { name: 'Add Product 1' }).click();
      await page.getByTestId('members').getByRole('link', { name: 'Product 1' }).waitFor();

      // The editor, opened from the product list.
      await page.getByRole('link', { name: 'Products', exact: true }).click();
      await page.getByTestId('products-table').getByRole('link', { name: 'Product 1' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit Product 1' }).waitFor();
      await page.getByLabel('SEO title', { exact: true }).fill('Product 1 — the best seat in the house');
      await page.getByLabel('Image URL').fill('https://cdn.example.com/p1-front.jpg');
      await page.getByLabel('Alt text', { exact: true }).fill('Product 1 from the front');
      await page.getByRole('button', { name: 'Add image' }).click();
      await expect
        .poll(() => page.getByLabel('Alt text of image 1').inputValue())
        .toBe('Product 1 from the front');
      await page.getByLabel('3D model URL (glTF or GLB)').fill('https://cdn.example.com/p1.glb');
      await page.getByLabel('Chairs').check();
      expect(await page.getByLabel('Summer').isChecked()).toBe(true);
      await page.getByLabel('Language code').fill('pl');
      await page.getByRole('button', { name: 'Add a translation' }).click();
      // The default-language text is shown as the fallback until a translation is typed.
      await page.getByTestId('translation-pl').getByText('Default shown: Product 1').first().waitFor();
      await page.getByLabel('Title (pl)', { exact: true }).fill('Produkt pierwszy');
      await page.getByRole('button', { name: 'Save product' }).click();
      await page.getByTestId('product-saved').waitFor();
      // The variant's title in the product's new language.
      await page.getByLabel('Title of variant 1 (pl)').fill('Domyślny');
      await page.getByRole('button', { name: 'Save variant 1' }).click();
      await expect
        .poll(
          async () =>
            (await t.app.inject({ url: `/admin/products/${product.id}`, headers: owner })).json().variants[0]
              .translations,
        )
        .toEqual({ pl: { title: 'Domyślny' } });

      // A sale price list with one price for the product's variant.
      await page.getByRole('link', { name: 'Price lists' }).click();
      await page.getByRole('heading', { level: 1, name: 'Price lists' }).waitFor();
      await page.getByRole('link', { name: 'New price list' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Black Friday');
      await page.getByLabel('Type').selectOption('sale');
      await page.getByLabel('Starts').fill(dayAgo);
      await page.getByLabel('Ends').fill(weekAhead);
      await page.getByLabel('Find a product to price').fill('Product 1');
      await page.getByRole('button', { name: 'Add a price for Product 1 — Default (SKU-1)' }).click();
      await page.getByLabel('Amount of price 1').fill('19,99');
      await page.getByRole('button', { name: 'Create price list' }).click();
      await page.getByTestId('price-lists-table').getByRole('link', { name: 'Black Friday' }).waitFor();

      // Reopened, the list shows the variant by name and the saved amount.
      await page.getByTestId('price-lists-table').getByRole('link', { name: 'Black Friday' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit price list' }).waitFor();
      await page.getByTestId('price-list-prices').getByText('Product 1 — Default (SKU-1)').waitFor();
      expect(await page.getByLabel('Amount of price 1').inputValue()).toBe('19.99');
    });

    const saved = (await t.app.inject({ url: `/admin/products/${product.id}`, headers: owner })).json();
    const [category] = (await t.app.inject({ url: '/admin/categories', headers: owner })).json().data;
    const [collection] = (await t.app.inject({ url: '/admin/collections', headers: owner })).json().data;
    expect(category.name).toBe('Chairs');
    expect(collection.title).toBe('Summer');
    expect(saved).toMatchObject({
      seo_title: 'Product 1 — the best seat in the house',
      media: [
        { url: 'https://cdn.example.com/p1-front.jpg', kind: 'image', alt: 'Product 1 from the front' },
        { url: 'https://cdn.example.com/p1.glb', kind: 'model', format: 'glb' },
      ],
      translations: { pl: { title: 'Produkt pierwszy' } },
      category_ids: [category.id],
      collection_ids: [collection.id],
    });

    const [list] = (await t.app.inject({ url: '/admin/price-lists', headers: owner })).json().data;
    const detail = (await t.app.inject({ url: `/admin/price-lists/${list.id}`, headers: owner })).json();
    expect(detail).toMatchObject({
      name: 'Black Friday',
      type: 'sale',
      status: 'active',
      prices: [{ variant_id: variantId, currency_code: 'eur', amount: 1999, min_quantity: 1 }],
    });
    expect(Date.parse(detail.starts_at)).toBe(Date.parse(`${dayAgo}:00Z`));
    expect(Date.parse(detail.ends_at)).toBe(Date.parse(`${weekAhead}:00Z`));

    // The storefront: the Polish title (the English SEO title as fallback) and the sale price over the regular one.
    const store = await t.app.inject({
      url: `/store/products/${product.id}?locale=pl&region_id=${t.regionId}`,
    });
    expect(store.statusCode).toBe(200);
    const shown = store.json();
    expect(shown.title).toBe('Produkt pierwszy');
    expect(shown.variants[0].title).toBe('Domyślny');
    expect(shown.seo_title).toBe('Product 1 — the best seat in the house');
    expect(shown.category_ids).toEqual([category.id]);
    expect(shown.collection_ids).toEqual([collection.id]);
    expect(shown.media.map((m: { kind: string }) => m.kind)).toEqual(['image', 'model']);
    expect(shown.variants[0].price).toMatchObject({
      amount: 1999,
      original_amount: 2999,
      price_list_id: list.id,
    });
    const english = (
      await t.app.inject({ url: `/store/products/${product.id}?region_id=${t.regionId}` })
    ).json();
    expect(english.title).toBe('Product 1');
  });

  it('adds an option to a one-variant product, then adds, edits and removes variants with prices', async () => {
    const manager = await staffCredentials(t, 'catalog_manager');
    const listed = (await t.app.inject({ url: '/admin/products?q=Product 0', headers: owner })).json();
    const product = listed.data.find((p: { title: string }) => p.title === 'Product 0') as { id: string };
    await inPage('admin-product-variants', async (page) => {
      await signIn(page, manager);
      await page.getByTestId('products-table').getByRole('link', { name: 'Product 0' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit Product 0' }).waitFor();
      await page.getByRole('button', { name: 'Add an option' }).click();
      await page.getByLabel('Name of option 1').fill('Size');
      await page.getByLabel('Values of option 1 (comma-separated)').fill('S, M');
      await page.getByLabel('Value of option 1 for the existing variants').selectOption('S');
      await page.getByRole('button', { name: 'Save product' }).click();
      await page.getByTestId('product-saved').waitFor();
      await expect.poll(() => page.getByLabel('Size of variant 1').inputValue()).toBe('S');

      await page.getByLabel('Barcode of variant 1').fill('5901234123457');
      await page.getByLabel('Price in EUR of variant 1').fill('21.00');
      await page.getByRole('button', { name: 'Save variant 1' }).click();
      await expect.poll(() => page.getByLabel('Price in EUR of variant 1').inputValue()).toBe('21.00');

      await page.getByRole('button', { name: 'Add a variant' }).click();
      await page.getByLabel('Size of variant 2').selectOption('M');
      await page.getByLabel('SKU of variant 2').fill('SKU-0-M');
      await page.getByLabel('Weight (g) of variant 2').fill('650');
      await page.getByLabel('Price in EUR of variant 2').fill('25,50');
      await page.getByRole('button', { name: 'Create variant 2' }).click();
      await page.getByRole('button', { name: 'Save variant 2' }).waitFor();

      await page.getByRole('button', { name: 'Remove variant 2' }).click();
      await page.getByRole('button', { name: 'Save variant 2' }).waitFor({ state: 'detached' });
      // The last variant cannot go: the API's message is shown beside the button.
      await page.getByRole('button', { name: 'Remove variant 1' }).click();
      await page.getByTestId('variant-row').getByRole('alert').waitFor();
    });
    const saved = (await t.app.inject({ url: `/admin/products/${product.id}`, headers: owner })).json();
    expect(saved.options).toEqual([{ name: 'Size', values: ['S', 'M'] }]);
    expect(saved.variants).toHaveLength(1);
    expect(saved.variants[0]).toMatchObject({
      sku: 'SKU-0',
      barcode: '5901234123457',
      options: { Size: 'S' },
      prices: [{ currency_code: 'eur', amount: 2100 }],
    });
    const events = await t.ctx.db
      .selectFrom('outbox_events')
      .select('payload')
      .where('topic', '=', 'product.updated')
      .execute();
    const mine = events.map((e) => JSON.parse(e.payload)).filter((p) => p.id === product.id);
    expect(mine.some((p) => p.variant_added)).toBe(true);
    expect(mine.some((p) => p.variant_deleted)).toBe(true);
  });

  it('makes a customer-group price list with a quantity tier, then edits its prices', async () => {
    const admin = await staffCredentials(t, 'admin');
    const group = (
      await t.app.inject({
        method: 'POST',
        url: '/admin/customer-groups',
        headers: owner,
        payload: { name: 'Trade' },
      })
    ).json();
    await inPage('admin-price-list-tiers', async (page) => {
      await signIn(page, admin);
      await page.getByRole('link', { name: 'Price lists' }).click();
      await page.getByRole('link', { name: 'New price list' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Trade prices');
      await page.getByLabel('Type').selectOption('override');
      await page.getByLabel('Trade').check();
      await page.getByLabel('Find a product to price').fill('Product 2');
      const add = page.getByRole('button', { name: 'Add a price for Product 2 — Default (SKU-2)' });
      await add.click();
      await add.click();
      await page.getByLabel('Amount of price 1').fill('35');
      await page.getByLabel('Amount of price 2').fill('30');
      await page.getByLabel('From quantity, price 2').fill('10');
      // The API refuses an end before the start; its message is shown and nothing is created.
      await page.getByLabel('Starts').fill('2030-01-02T00:00');
      await page.getByLabel('Ends').fill('2030-01-01T00:00');
      await page.getByRole('button', { name: 'Create price list' }).click();
      await page.getByRole('alert').filter({ hasText: 'ends_at must be after starts_at' }).waitFor();
      await page.getByLabel('Starts').fill('');
      await page.getByLabel('Ends').fill('');
      await page.getByRole('button', { name: 'Create price list' }).click();
      await page.getByTestId('price-lists-table').getByRole('link', { name: 'Trade prices' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit price list' }).waitFor();
      await expect.poll(() => page.getByLabel('From quantity, price 2').inputValue()).toBe('10');
      await page.getByLabel('Amount of price 2').fill('28');
      await page.getByRole('button', { name: 'Remove price 1' }).click();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Price lists' }).waitFor();
    });
    const lists = (await t.app.inject({ url: '/admin/price-lists', headers: owner })).json().data;
    const trade = lists.filter((l: { name: string }) => l.name === 'Trade prices');
    expect(trade).toHaveLength(1);
    const detail = (await t.app.inject({ url: `/admin/price-lists/${trade[0].id}`, headers: owner })).json();
    expect(detail).toMatchObject({
      type: 'override',
      starts_at: null,
      ends_at: null,
      customer_group_ids: [group.id],
      prices: [{ currency_code: 'eur', amount: 2800, min_quantity: 10 }],
    });
  });

  it('keeps categories as a tree: a child under its parent, rename, and the parent kept while it has children', async () => {
    const manager = await staffCredentials(t, 'catalog_manager');
    await inPage('admin-category-tree', async (page) => {
      await signIn(page, manager);
      await page.getByRole('link', { name: 'Categories' }).click();
      const table = page.getByTestId('categories-table');
      await page.getByRole('button', { name: 'New category' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Seating');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await table.getByRole('row', { name: /Seating/ }).waitFor();
      await page.getByRole('button', { name: 'New category' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Sofas');
      await page.getByLabel('Parent category').selectOption({ label: 'Seating' });
      await page.getByLabel('Language code of translation 1').waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Add a translation' }).click();
      await page.getByLabel('Language code of translation 1').fill('pl');
      await page.getByLabel('Name in translation 1').fill('Sofy');
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await table.getByRole('row', { name: /Sofas/ }).waitFor();
      // Tree order: the child right after its parent.
      const names = await table.locator('tbody tr td:first-child').allTextContents();
      expect(names.indexOf('Sofas')).toBe(names.indexOf('Seating') + 1);

      await page.getByRole('button', { name: 'Edit Sofas' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Couches');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await table.getByRole('row', { name: /Couches/ }).waitFor();
      const couches = (await t.app.inject({ url: '/admin/categories', headers: owner }))
        .json()
        .data.find((c: { name: string }) => c.name === 'Couches');
      expect(couches.translations).toEqual({ pl: { name: 'Sofy' } });
      expect(couches.parent_id).not.toBeNull();

      await page.getByRole('button', { name: 'Delete Seating' }).click();
      await page.getByRole('alert').filter({ hasText: 'child categories' }).waitFor();
      await page.getByRole('button', { name: 'Delete Couches' }).click();
      await table.getByRole('row', { name: /Couches/ }).waitFor({ state: 'detached' });
    });
    const categories = (await t.app.inject({ url: '/admin/categories', headers: owner })).json().data;
    expect(categories.map((c: { name: string }) => c.name)).toContain('Seating');
    expect(categories.map((c: { name: string }) => c.name)).not.toContain('Couches');
    const store = (await t.app.inject({ url: '/store/categories?locale=pl' })).json().data;
    expect(store.map((c: { name: string }) => c.name)).toContain('Seating');
  });

  it('shows the catalog screens in Polish and hides writes from a read-only role', async () => {
    const support = await staffCredentials(t, 'support');
    await inPage('admin-catalog-readonly', async (page) => {
      await signIn(page, support);
      await page.getByRole('link', { name: 'Categories' }).click();
      await page.getByRole('heading', { level: 1, name: 'Categories' }).waitFor();
      expect(await page.getByRole('button', { name: 'New category' }).count()).toBe(0);
      // Support has no pricing:read: no link and no access at the URL.
      expect(await page.getByRole('link', { name: 'Price lists' }).count()).toBe(0);
      await page.goto(`${base}/admin/app/price-lists`);
      await page.getByTestId('forbidden').waitFor();
      await page.getByRole('link', { name: 'Products', exact: true }).click();
      await page.getByTestId('products-table').getByRole('link', { name: 'Product 2' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit Product 2' }).waitFor();
      expect(await page.getByRole('button', { name: 'Save product' }).count()).toBe(0);
      expect(await page.getByLabel('SEO title', { exact: true }).isDisabled()).toBe(true);
      await page.getByTestId('language-select').selectOption('pl');
      await page.getByRole('heading', { level: 1, name: 'Edycja: Product 2' }).waitFor();
      await page.getByLabel('Tytuł SEO', { exact: true }).waitFor();
    });
  });
});
