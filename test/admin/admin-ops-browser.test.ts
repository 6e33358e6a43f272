import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyCart, type Store } from '../checkout/store-fixture.js';
import { hasChromium, withScreenshotOnFailure } from '../helpers/browser.js';
import { type StaffCredentials, staffCredentials } from '../helpers/identity.js';
import { testDialect } from '../helpers/test-context.js';
import { startAdminBrowser } from './admin-fixture.js';

const owner = { 'x-test-principal': 'owner' };

// Running the shop day to day in a real browser: pick lists and fulfilment per location, editing a
// shipping option, deleting tax classes, and the type-ahead pickers.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('admin operations screens in Chromium', () => {
  let t: Store;
  let browser: Browser;
  let base = '';

  let close = async () => {};

  beforeAll(async () => {
    ({ t, base, browser, close } = await startAdminBrowser());
  });
  afterAll(() => close());

  async function inPage<T>(name: string, run: (page: Page) => Promise<T>): Promise<T> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    // Headless Chromium has no print dialog: count the calls and end the "print" at once.
    await page.addInitScript(() => {
      const w = globalThis as unknown as {
        printed: number;
        print: () => void;
        dispatchEvent: (event: Event) => boolean;
      };
      w.printed = 0;
      w.print = () => {
        w.printed += 1;
        w.dispatchEvent(new Event('afterprint'));
      };
    });
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
    await page.getByRole('navigation').waitFor();
  }

  async function placeOrder(variant: string, quantity: number, email: string) {
    const { id } = await readyCart(t, [{ variant, quantity }], email);
    const placed = await t.app.inject({ method: 'POST', url: `/store/carts/${id}/complete`, payload: {} });
    expect(placed.statusCode, placed.body).toBe(200);
    return placed.json().order as { id: string; display_number: string; number: number };
  }

  it("shows an order's pick list for its location, prints it, and fulfils from there", async () => {
    const manager = await staffCredentials(t, 'order_manager');
    const order = await placeOrder(t.variants[0]!, 3, 'picker@example.com');
    const other = await placeOrder(t.variants[1]!, 2, 'other@example.com');
    await inPage('admin-pick-list-order', async (page) => {
      await signIn(page, manager);
      await page.goto(`${base}/admin/app/orders/${order.id}`);
      const sheet = page.getByTestId('pick-list');
      await sheet.getByRole('heading', { name: 'Pick list: Main' }).waitFor();
      const rows = sheet.locator('tbody tr');
      expect(await rows.count()).toBe(1);
      const row = await rows.first().textContent();
      expect(row).toContain('SKU-0');
      expect(row).toContain('Main (main)');
      expect(await sheet.getByTestId('pick-quantity').textContent()).toBe('3');
      await sheet.getByRole('button', { name: 'Print pick list for Main' }).click();
      expect(await page.evaluate(() => (globalThis as unknown as { printed: number }).printed)).toBe(1);
      // The print stylesheet leaves the sheet alone on the page: no navigation, no buttons.
      await page.emulateMedia({ media: 'print' });
      expect(await page.getByRole('navigation').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: /^Fulfil from/ }).isVisible()).toBe(false);
      expect(await sheet.getByTestId('pick-quantity').isVisible()).toBe(true);
      await page.emulateMedia({ media: 'screen' });

      await page.getByRole('button', { name: 'Fulfil from Main' }).click();
      await page.getByTestId('fulfillment').waitFor();
      await expect.poll(() => page.getByTestId('pick-list').count()).toBe(0);
      await expect.poll(() => page.getByTestId('timeline').textContent()).toMatch(/fulfillment\(s\) created/);

      // The warehouse screen: what is still to pick at each location, with totals per SKU.
      await page.getByRole('link', { name: 'Pick lists' }).click();
      await page.getByRole('heading', { level: 1, name: 'Pick lists' }).waitFor();
      const main = page.locator(`[data-testid="pick-list"][data-location="${t.locationId}"]`);
      await main.getByRole('link', { name: `#${other.number}` }).waitFor();
      expect(await main.getByRole('link', { name: `#${order.number}` }).count()).toBe(0);
      expect(await main.getByTestId('pick-totals').textContent()).toContain('SKU-1');
      await page.getByLabel('Stock location').selectOption({ label: 'Second (second)' });
      await expect.poll(() => main.count()).toBe(0);
      await page.getByTestId('pick-list').getByText('Nothing to pick here.').waitFor();
      await page.getByTestId('language-select').selectOption('pl');
      await page.getByRole('heading', { level: 1, name: 'Listy kompletacyjne' }).waitFor();
      await page.getByTestId('pick-list').getByText('Nic do skompletowania.').waitFor();
    });
    const pick = await t.app.inject({
      url: `/admin/pick-lists?location_id=${t.locationId}&order_id=${order.id}`,
      headers: owner,
    });
    expect(pick.json().data).toEqual([]);
  });

  it("edits a shipping option's price; carts are offered the new price", async () => {
    const manager = await staffCredentials(t, 'order_manager');
    const { id: cartId } = await readyCart(t, [{ variant: t.variants[2]!, quantity: 1 }], 'cart@example.com');
    await inPage('admin-shipping-edit', async (page) => {
      await signIn(page, manager);
      await page.getByRole('link', { name: 'Shipping' }).click();
      await page.getByRole('button', { name: 'Edit Standard' }).click();
      await page.getByRole('heading', { name: 'Edit shipping option Standard' }).waitFor();
      expect(await page.getByLabel('Price in EUR').inputValue()).toBe('4.99');
      await page.getByLabel('Price in EUR').fill('7.50');
      await page.getByRole('button', { name: 'Save' }).click();
      const row = page.getByTestId('shipping-table').getByRole('row', { name: /Standard/ });
      await expect.poll(() => row.textContent()).toContain('€7.50');
      // In use by open carts: deleting it is refused with the API's reason.
      await page.getByRole('button', { name: 'Delete Standard' }).click();
      await page.getByRole('alert').filter({ hasText: 'deactivate it instead' }).waitFor();
    });
    const offered = (await t.app.inject({ url: `/store/carts/${cartId}/shipping-options` })).json().data;
    expect(offered).toEqual([expect.objectContaining({ id: t.shippingOptionId, price: 750, amount: 750 })]);
  });

  it('deletes an unused tax class and shows why a used one cannot go', async () => {
    const admin = await staffCredentials(t, 'admin');
    const used = (
      await t.app.inject({
        method: 'POST',
        url: '/admin/tax-classes',
        headers: owner,
        payload: { code: 'books', name: 'Books' },
      })
    ).json();
    await t.app.inject({
      method: 'POST',
      url: '/admin/tax-classes',
      headers: owner,
      payload: { code: 'unused', name: 'Unused class' },
    });
    const product = await t.app.inject({
      method: 'POST',
      url: '/admin/products',
      headers: owner,
      payload: {
        title: 'Novel',
        status: 'published',
        variants: [
          { sku: 'BOOK-1', tax_class_id: used.id, prices: [{ currency_code: 'eur', amount: 1500 }] },
        ],
      },
    });
    expect(product.statusCode).toBe(201);
    await inPage('admin-tax-class-delete', async (page) => {
      await signIn(page, admin);
      await page.getByRole('link', { name: 'Regions and tax' }).click();
      const table = page.getByTestId('tax-classes-table');
      await table.getByRole('button', { name: 'Delete Unused class' }).click();
      await expect.poll(() => table.getByRole('row', { name: /Unused class/ }).count()).toBe(0);
      await table.getByRole('button', { name: 'Delete Books' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'The tax class is still in use: 1 product variants' })
        .waitFor();
      expect(await table.getByRole('row', { name: /Books/ }).count()).toBe(1);
    });
    const classes = (await t.app.inject({ url: '/admin/tax-classes', headers: owner })).json().data;
    expect(classes.map((c: { code: string }) => c.code)).toContain('books');
    expect(classes.map((c: { code: string }) => c.code)).not.toContain('unused');
  });

  it('picks products and variants for a discount by typing, with the keyboard', async () => {
    const marketing = await staffCredentials(t, 'marketing');
    await inPage('admin-discount-picker', async (page) => {
      await signIn(page, marketing);
      await page.goto(`${base}/admin/app/discounts/new`);
      await page.getByLabel('Code', { exact: true }).fill('PICK10');
      await page.getByLabel('Percent off').fill('10');
      const products = page.getByRole('combobox', { name: 'Products' });
      await products.fill('Product 1');
      await page.getByRole('option', { name: /^Product 1 / }).waitFor();
      await products.press('ArrowDown');
      await products.press('Enter');
      await page
        .getByRole('list', { name: 'Chosen Products' })
        .getByText(/Product 1/)
        .waitFor();
      const variants = page.getByRole('combobox', { name: 'Variants' });
      await variants.fill('SKU-2');
      await page.getByRole('option', { name: /SKU-2/ }).waitFor();
      await variants.press('Enter');
      await page.getByRole('list', { name: 'Chosen Variants' }).getByText(/SKU-2/).waitFor();
      await page.getByRole('button', { name: /^(Create|Save)/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Discounts' }).waitFor();
    });
    const promotions = (await t.app.inject({ url: '/admin/promotions?limit=50', headers: owner })).json()
      .data;
    const pick = promotions.find((p: { code: string }) => p.code === 'PICK10');
    expect(pick.conditions).toMatchObject({ variant_ids: [t.variants[2]] });
    expect(pick.conditions.product_ids).toHaveLength(1);
  });
});
