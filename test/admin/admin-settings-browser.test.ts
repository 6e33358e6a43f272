import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../checkout/store-fixture.js';
import { hasChromium, withScreenshotOnFailure } from '../helpers/browser.js';
import { type StaffCredentials, staffCredentials } from '../helpers/identity.js';
import { testDialect } from '../helpers/test-context.js';
import { startAdminBrowser } from './admin-fixture.js';

const owner = { 'x-test-principal': 'owner' };

// The store settings screens (discounts, regions and tax, shipping) in a real browser, each signed in with
// the narrowest role that may use it.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('admin settings screens in Chromium', () => {
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

  it('creates a percentage discount code with a minimum subtotal and lists it', async () => {
    const marketing = await staffCredentials(t, 'marketing');
    await inPage('admin-discount-create', async (page) => {
      await signIn(page, marketing);
      await page.getByRole('link', { name: 'Discounts' }).click();
      await page.getByRole('heading', { level: 1, name: 'Discounts' }).waitFor();
      await page.getByRole('link', { name: 'New discount' }).click();
      await page.getByLabel('Code', { exact: true }).fill('spring15');
      await page.getByLabel('Type').selectOption('percentage');
      await page.getByLabel('Percent off').fill('15');
      await page.getByLabel('Minimum subtotal').fill('50,00');
      await page.getByLabel('Uses per customer').fill('1');
      await page.getByLabel('Stacking').selectOption('exclusive');
      await page.getByRole('button', { name: 'Create discount' }).click();
      const row = page.getByTestId('discounts-table').getByRole('row', { name: /SPRING15/ });
      await row.waitFor();
      const text = await row.textContent();
      expect(text).toContain('Percentage off');
      expect(text).toContain('15 %');
      expect(text).toContain('€50.00');
      expect(text).toContain('Exclusive');

      // A code the API refuses (taken) shows the API's message and adds nothing.
      await page.getByRole('link', { name: 'New discount' }).click();
      await page.getByLabel('Code', { exact: true }).fill('SPRING15');
      await page.getByLabel('Percent off').fill('5');
      await page.getByRole('button', { name: 'Create discount' }).click();
      await page.getByRole('alert').waitFor();

      // Editing loads the saved rule into the form and saves the change.
      await page.getByRole('link', { name: 'Discounts' }).click();
      await page.getByRole('link', { name: 'SPRING15' }).click();
      await page.getByRole('heading', { level: 1, name: 'Edit discount' }).waitFor();
      await expect.poll(() => page.getByLabel('Minimum subtotal').inputValue()).toBe('50.00');
      await page.getByLabel('Percent off').fill('20');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('discounts-table').getByRole('row', { name: /20 %/ }).waitFor();

      // In Polish the same screen has Polish headings and labels.
      await page.getByTestId('language-select').selectOption('pl');
      await page.getByRole('heading', { level: 1, name: 'Rabaty' }).waitFor();
      await page.getByRole('link', { name: 'Nowy rabat' }).click();
      await page.getByLabel('Minimalna wartość koszyka').waitFor();
    });
    const listed = await t.app.inject({ url: '/admin/promotions', headers: owner });
    const promotions = listed.json().data as Record<string, unknown>[];
    expect(promotions).toHaveLength(1);
    expect(promotions[0]).toMatchObject({
      code: 'SPRING15',
      kind: 'percentage',
      value: 2000,
      currency_code: 'eur',
      conditions: { min_subtotal: 5000 },
      per_customer_limit: 1,
      stacking: 'exclusive',
    });
  });

  it('creates a tax class and a region with a tax override, and lists it', async () => {
    const admin = await staffCredentials(t, 'admin');
    await inPage('admin-region-create', async (page) => {
      await signIn(page, admin);
      await page.getByRole('link', { name: 'Regions and tax' }).click();
      await page.getByRole('heading', { level: 1, name: 'Regions and tax' }).waitFor();
      await page.getByLabel('Tax class code').fill('reduced');
      await page.getByLabel('Tax class name').fill('Reduced rate');
      await page.getByRole('button', { name: 'Add tax class' }).click();
      await page
        .getByTestId('tax-classes-table')
        .getByRole('row', { name: /Reduced rate/ })
        .waitFor();

      await page.getByLabel('Name', { exact: true }).fill('Sweden');
      await page.getByLabel('Countries (ISO codes, comma-separated)').fill('se');
      await page.getByLabel('Currency').fill('SEK');
      await page.getByLabel('Default tax rate (%)').fill('25');
      await page.getByRole('button', { name: 'Add a tax class override' }).click();
      await page.getByLabel('Tax class of override 1').selectOption({ label: 'Reduced rate' });
      await page.getByLabel('Rate (%) of override 1').fill('12');
      await page.getByRole('button', { name: 'Create region' }).click();
      const row = page.getByTestId('regions-table').getByRole('row', { name: /Sweden/ });
      await row.waitFor();
      const text = await row.textContent();
      expect(text).toContain('SE');
      expect(text).toContain('SEK');
      expect(text).toContain('25 %');
      expect(text).toContain('Reduced rate: 12 %');

      await row.getByRole('button', { name: 'Edit Sweden' }).click();
      await expect.poll(() => page.getByLabel('Rate (%) of override 1').inputValue()).toBe('12');
      await page.getByLabel('Default tax rate (%)').fill('24');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(async () => await row.textContent()).toContain('24 %');
    });
    const regions = (await t.app.inject({ url: '/admin/regions', headers: owner })).json().data as {
      name: string;
      countries: string[];
      default_tax_rate_bp: number;
      tax_overrides: { rate_bp: number }[];
    }[];
    const sweden = regions.find((r) => r.name === 'Sweden');
    expect(sweden).toMatchObject({ countries: ['se'], default_tax_rate_bp: 2400 });
    expect(sweden?.tax_overrides.map((o) => o.rate_bp)).toEqual([1200]);
  });

  it('adds shipping options to a region: free above a subtotal, and a weight table', async () => {
    // An order manager manages shipping without reading regions: the picker uses the public region list.
    const manager = await staffCredentials(t, 'order_manager');
    await inPage('admin-shipping-create', async (page) => {
      await signIn(page, manager);
      await page.getByRole('link', { name: 'Shipping' }).click();
      await page.getByRole('heading', { level: 1, name: 'Shipping options' }).waitFor();
      await page.getByLabel('Region').selectOption({ label: 'Europe (EUR)' });
      await page.getByLabel('Name').fill('Parcel locker');
      await page.getByLabel('Pricing').selectOption('free_above');
      await page.getByLabel('Price in EUR').fill('9.90');
      await page.getByLabel('Free from subtotal in EUR').fill('100');
      await page.getByRole('button', { name: 'Add shipping option' }).click();
      const row = page.getByTestId('shipping-table').getByRole('row', { name: /Parcel locker/ });
      await row.waitFor();
      expect(await row.textContent()).toContain('€9.90, free from €100.00');

      await page.getByLabel('Name').fill('Freight');
      await page.getByLabel('Pricing').selectOption('weight_table');
      await page.getByRole('button', { name: 'Add a weight bracket' }).click();
      await page.getByLabel('Up to grams, bracket 1').fill('5000');
      await page.getByLabel('Price in EUR, bracket 1').fill('12');
      await page.getByRole('button', { name: 'Add a weight bracket' }).click();
      await page.getByLabel('Up to grams, bracket 2').fill('30000');
      await page.getByLabel('Price in EUR, bracket 2').fill('39.50');
      await page.getByRole('button', { name: 'Add shipping option' }).click();
      const freight = page.getByTestId('shipping-table').getByRole('row', { name: /Freight/ });
      await freight.waitFor();
      expect(await freight.textContent()).toContain('up to 5000 g: €12.00, up to 30000 g: €39.50');
    });
    const options = (
      await t.app.inject({ url: `/admin/shipping-options?region_id=${t.regionId}`, headers: owner })
    ).json().data as Record<string, unknown>[];
    expect(options.find((o) => o.name === 'Parcel locker')).toMatchObject({
      price_type: 'free_above',
      amount: 990,
      free_above: 10000,
    });
    expect(options.find((o) => o.name === 'Freight')).toMatchObject({
      price_type: 'weight_table',
      weight_table: [
        { max_grams: 5000, amount: 1200 },
        { max_grams: 30000, amount: 3950 },
      ],
    });
  });

  it('lists the configured payment providers read-only, and hides the screen from a role without payments:read', async () => {
    const manager = await staffCredentials(t, 'order_manager');
    await inPage('admin-payment-providers', async (page) => {
      await signIn(page, manager);
      await page.getByRole('link', { name: 'Payment providers' }).click();
      const row = page.getByTestId('payment-providers-table').getByRole('row', { name: /manual/ });
      await row.waitFor();
      expect(await row.textContent()).toContain('bank_transfer');
    });
    const marketing = await staffCredentials(t, 'marketing');
    await inPage('admin-payment-providers-forbidden', async (page) => {
      await signIn(page, marketing);
      await page.getByRole('link', { name: 'Discounts' }).waitFor();
      expect(await page.getByRole('link', { name: 'Payment providers' }).count()).toBe(0);
      await page.goto(`${base}/admin/app/payment-providers`);
      await page.getByTestId('forbidden').waitFor();
    });
  });
});
