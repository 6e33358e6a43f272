import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { owner } from '../catalog/catalog-fixtures.js';
import { hasChromium } from '../helpers/browser.js';
import { customerCredentials } from '../helpers/identity.js';
import { tokenFrom } from '../helpers/smtp.js';
import { testDialect } from '../helpers/test-context.js';
import { openShopperStore, type ShopperStore } from './shopper-fixture.js';

// The customer account in a real browser, against a real Stratus with the identity module's sessions
// (cookie + CSRF), the orders history routes and the GDPR export.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('storefront customer account in Chromium', () => {
  let shop: ShopperStore;
  let t: ShopperStore['t'];
  let base = '';
  let chairHandle = '';
  let chairId = '';
  let chairVariant = '';
  beforeAll(async () => {
    shop = await openShopperStore();
    ({ t, base } = shop);
    ({ handle: chairHandle, id: chairId, variant: chairVariant } = shop.chair);
  });
  afterAll(async () => shop?.close());
  const inPage = <T>(name: string, run: (page: Page) => Promise<T>) => shop.inPage(name, run);
  const mailTo = (to: string, subject: string) => shop.mailTo(to, subject);
  const signIn = (page: Page, email: string, password: string) => shop.signIn(page, email, password);

  it('registers, signs in, orders, finds the order in the account, edits an address and downloads the data', async () => {
    await inPage('storefront-account', async (page) => {
      const email = `ada-${Date.now()}@example.com`;
      const password = 'a long enough secret 42';
      await page.goto(`${base}/account/register`);
      await page.getByTestId('consent-banner').getByRole('button', { name: 'Only necessary' }).click();
      await page.getByRole('textbox', { name: 'First name' }).fill('Ada');
      await page.getByRole('textbox', { name: 'Last name' }).fill('Lovelace');
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Create an account' }).click();
      await page.getByTestId('registered').waitFor();
      // The verification link from the email confirms the address.
      const verifyLink = /\/account\/verify\?token=[A-Za-z0-9_.-]+/.exec(mailTo(email, 'Verify'))![0];
      await page.goto(`${base}${verifyLink}`);
      expect(await page.getByTestId('verify-result').textContent()).toBe(
        'Thank you, your email address is confirmed.',
      );

      await signIn(page, email, password);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Ada Lovelace');
      expect(await page.getByTestId('account-link').textContent()).toBe('Your account');

      // Shop and check out while signed in: the cart becomes the customer's.
      await page.goto(`${base}/products/${chairHandle}`);
      await page.getByRole('button', { name: 'Natural', exact: true }).click();
      await page.getByTestId('add-to-cart').click();
      const drawer = page.getByTestId('cart-drawer');
      await drawer.getByTestId('cart-line').waitFor();
      // Cart lines link back to their product page.
      expect(await drawer.getByTestId('line-product').getAttribute('href')).toBe(`/products/${chairId}`);
      await drawer.getByRole('link', { name: 'Checkout' }).click();
      await expect.poll(() => page.getByRole('textbox', { name: 'Email' }).inputValue()).toBe(email);
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
      await page.getByTestId('place-order').click();
      await page.getByTestId('confirmation').waitFor();

      const orders = (await t.app.inject({ url: '/admin/orders?limit=100', headers: owner })).json()
        .data as Array<{
        id: string;
        email: string;
        customer_id: string | null;
        total: number;
        display_number: string;
      }>;
      const order = orders.find((o) => o.email === email)!;
      expect(order.customer_id).toEqual(expect.stringMatching(/^cus_/));

      // The account lists the order; its detail shows the lines and the server's total.
      await page.getByTestId('account-link').click();
      await page.getByTestId('order-row').first().waitFor();
      await page.getByRole('link', { name: 'Orders', exact: true }).click();
      const rows = page.getByTestId('order-row');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain(order.display_number);
      await rows.first().getByRole('link').click();
      await page.getByTestId('order-detail').waitFor();
      expect(page.url()).toBe(`${base}/account/orders/${order.id}`);
      expect(Number(await page.getByTestId('order-detail-total').getAttribute('data-amount'))).toBe(
        order.total,
      );
      expect(await page.getByTestId('order-line').count()).toBe(1);
      expect(await page.getByTestId('order-status').textContent()).toBe('Awaiting payment');

      // Address book: add one, then edit it.
      await page.getByRole('link', { name: 'Addresses' }).click();
      await page.getByRole('button', { name: 'Add an address' }).click();
      const form = page.getByTestId('address-form');
      await form.getByRole('textbox', { name: 'First name' }).fill('Ada');
      await form.getByRole('textbox', { name: 'Last name' }).fill('Lovelace');
      await form.getByRole('textbox', { name: 'Street and number' }).fill('12 Analytical Row');
      await form.getByRole('textbox', { name: 'Postal code' }).fill('10002');
      await form.getByRole('textbox', { name: 'City' }).fill('Boston');
      await form.getByRole('button', { name: 'Save' }).click();
      const addresses = page.getByTestId('address');
      await expect.poll(() => addresses.count()).toBe(1);
      expect(await addresses.first().textContent()).toContain('Boston');
      await addresses.first().getByRole('button', { name: 'Edit' }).click();
      await form.getByRole('textbox', { name: 'City' }).fill('Cambridge');
      await form.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => addresses.first().textContent()).toContain('Cambridge');
      expect(await addresses.count()).toBe(1);

      // "Download my data": the JSON carries the order and the edited address.
      await page.getByRole('link', { name: 'Privacy and data' }).click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('download-data').click(),
      ]);
      expect(download.suggestedFilename()).toBe('my-data.json');
      const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
      expect(exported.orders.map((o: { id: string }) => o.id)).toEqual([order.id]);
      expect(exported.orders[0].items[0]).toMatchObject({ variant_id: chairVariant, quantity: 1 });
      expect(JSON.stringify(exported.addresses)).toContain('Cambridge');

      // Consent settings are recorded through the consent API; the banner choice made before signing
      // in was recorded for the account at sign-in.
      expect(await page.getByRole('checkbox', { name: /Allow analytics/ }).isChecked()).toBe(false);
      await page.getByRole('checkbox', { name: 'Send me news and offers by email' }).check();
      await page.getByText('Saved.').waitFor();
      const consents = await t.ctx.db
        .selectFrom('consents')
        .select(['purpose', 'granted', 'source'])
        .where('customer_id', '=', order.customer_id!)
        .orderBy('id')
        .execute();
      expect(consents).toEqual([
        { purpose: 'analytics_cookies', granted: 0, source: 'storefront_banner' },
        { purpose: 'marketing_email', granted: 1, source: 'storefront_account' },
      ]);

      // The next checkout starts from the saved address.
      await page.goto(`${base}/products/${chairHandle}`);
      await page.getByRole('button', { name: 'Natural', exact: true }).click();
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('cart-drawer').getByRole('link', { name: 'Checkout' }).click();
      await expect.poll(() => page.getByRole('textbox', { name: 'City' }).inputValue()).toBe('Cambridge');
      expect(await page.getByRole('textbox', { name: 'Street and number' }).inputValue()).toBe(
        '12 Analytical Row',
      );

      // Signing out ends the session: the account pages send the shopper to the sign-in page.
      await page.getByTestId('account-link').click();
      await page.getByTestId('sign-out').click();
      await expect.poll(() => page.getByTestId('account-link').textContent()).toBe('Sign in');
      // The cart stays with the account; this browser starts with an empty one.
      await expect.poll(() => page.getByTestId('cart-button').locator('.badge').textContent()).toBe('0');
      await page.goto(`${base}/account/orders`);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    });
  });

  it('resets a forgotten password through the emailed link', async () => {
    const customer = await customerCredentials(t, { first_name: 'Grace' });
    await inPage('storefront-password-reset', async (page) => {
      await page.goto(`${base}/account/login`);
      await page.getByTestId('consent-banner').getByRole('button', { name: 'Only necessary' }).click();
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('textbox', { name: 'Email' }).fill(customer.email);
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByTestId('reset-sent').waitFor();
      const mail = mailTo(customer.email, 'password');
      const link = /https?:\/\/[^/\s]+(\/account\/reset-password\?token=[A-Za-z0-9_.-]+)/.exec(mail)!;
      expect(link[1]).toContain(tokenFrom({ to: [customer.email], raw: mail }));
      // The emailed link names the configured public URL; open the same path on this test server.
      await page.goto(`${base}${link[1]}`);
      const fresh = 'a brand new passphrase 7';
      await page.getByLabel('New password').fill(fresh);
      await page.getByRole('button', { name: 'Save the new password' }).click();
      await page.getByTestId('reset-done').waitFor();
      // The link works once.
      await page.goto(`${base}${link[1]}`);
      await page.getByLabel('New password').fill('yet another passphrase 8');
      await page.getByRole('button', { name: 'Save the new password' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('invalid, expired or already used');
      await signIn(page, customer.email, fresh);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Hello, Grace');
    });
    const old = await t.app.inject({
      method: 'POST',
      url: '/store/auth/login',
      payload: { email: customer.email, password: customer.password },
    });
    expect(old.statusCode).toBe(401);
    // The account pages and the banner speak Polish too.
    await inPage('storefront-account-pl', async (page) => {
      await page.goto(`${base}/account/reset-password?lang=pl`);
      await page.getByRole('heading', { level: 1, name: 'Zresetuj hasło' }).waitFor();
      expect(await page.getByRole('button', { name: 'Wyślij link' }).count()).toBe(1);
      expect(await page.getByTestId('consent-banner').getByRole('button').allTextContents()).toEqual([
        'Tylko niezbędne',
        'Akceptuję analitykę',
      ]);
      await page.getByRole('link', { name: 'Zaloguj się' }).click();
      await page.getByRole('heading', { level: 1, name: 'Zaloguj się' }).waitFor();
    });
  });

  it("shows a signed-in customer their group's member price on the product page, and guests the list price", async () => {
    const admin = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
      const res = await t.app.inject({ method, url, headers: owner, payload });
      expect(res.statusCode, res.body).toBeLessThan(300);
      return res.json();
    };
    const group = await admin('POST', '/admin/customer-groups', { name: 'Trade' });
    const customer = await customerCredentials(t, { first_name: 'Tess' });
    await admin('PATCH', `/admin/customers/${customer.id}`, { group_id: group.id });
    await admin('POST', '/admin/price-lists', {
      name: 'Trade prices',
      type: 'override',
      status: 'active',
      customer_group_ids: [group.id],
      prices: [{ variant_id: chairVariant, currency_code: 'usd', amount: 9900 }],
    });
    await inPage('storefront-member-price', async (page) => {
      const shown = () =>
        page.getByTestId('price').first().locator('.price__amount').getAttribute('data-amount');
      await page.goto(`${base}/products/${chairHandle}`);
      await page.getByTestId('consent-banner').getByRole('button', { name: 'Only necessary' }).click();
      expect(await shown()).toBe('12900');
      await signIn(page, customer.email, customer.password);
      await page.goto(`${base}/products/${chairHandle}`);
      await expect.poll(shown).toBe('9900');
    });
  });
});
