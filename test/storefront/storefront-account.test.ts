import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBufferFor } from '../../src/modules/analytics/event-buffer.js';
import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import {
  byHeader,
  type CatalogApp,
  chairPayload,
  createCatalogApp,
  owner,
  stock,
} from '../catalog/catalog-fixtures.js';
import { hasChromium, launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';
import { customerCredentials } from '../helpers/identity.js';
import { tokenFrom } from '../helpers/smtp.js';
import { testDialect } from '../helpers/test-context.js';

// Headless Chromium says "HeadlessChrome", which the analytics bot filter drops; shoppers do not.
const SHOPPER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

interface EventsBody {
  visitor_id?: string;
  consent?: { analytics?: boolean };
  events: Array<Record<string, unknown> & { name: string }>;
}

// The customer account, the consent banner and the tracker in a real browser, against a real Stratus
// with the identity module's sessions (cookie + CSRF) and the analytics ingestion.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')(
  'storefront account and tracking in Chromium',
  () => {
    let t: CatalogApp;
    let browser: Browser;
    let base = '';
    let chairHandle = '';
    let chairId = '';
    let chairVariant = '';

    beforeAll(async () => {
      t = await createCatalogApp();
      // Staff calls keep the fixture's test header; shoppers sign in through the identity module.
      const identity = createAuthenticator(() => identityDeps(t.ctx));
      t.ctx.auth = {
        authenticate: async (request) =>
          (await byHeader.authenticate(request)) ?? (await identity.authenticate(request)),
      };
      const chair = await t.app.inject({
        method: 'POST',
        url: '/admin/products',
        headers: owner,
        payload: chairPayload({ media: [] }),
      });
      expect(chair.statusCode, chair.body).toBe(201);
      chairHandle = chair.json().handle;
      chairId = chair.json().id;
      chairVariant = chair.json().variants[0].id;
      await stock(t, chairVariant, 50);
      const option = await t.app.inject({
        method: 'POST',
        url: '/admin/shipping-options',
        headers: owner,
        payload: { region_id: t.regionId, name: 'Courier', price_type: 'flat', amount: 1000 },
      });
      expect(option.statusCode, option.body).toBe(201);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    async function inPage<T>(name: string, run: (page: Page) => Promise<T>): Promise<T> {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 900 },
        userAgent: SHOPPER_UA,
      });
      const page = await context.newPage();
      try {
        return await withScreenshotOnFailure(page, name, () => run(page));
      } finally {
        await context.close();
      }
    }

    /** The newest mail in the development outbox sent to `to` whose subject contains `subject`. */
    function mailTo(to: string, subject: string): string {
      const dir = path.join(t.config.dataDir, 'mail-outbox');
      const found = readdirSync(dir)
        .sort()
        .map((file) => readFileSync(path.join(dir, file), 'utf8'))
        .filter((eml) => eml.includes(`To: ${to}\r\n`) && eml.includes(subject));
      if (found.length === 0) throw new Error(`no "${subject}" mail to ${to}`);
      return found[found.length - 1]!;
    }

    async function signIn(page: Page, email: string, password: string) {
      await page.goto(`${base}/account/login`);
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('account-email').waitFor();
    }

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

    it('sends only cookieless counts until the banner is accepted, then full events with the item ids', async () => {
      await inPage('storefront-consent', async (page) => {
        const sent: EventsBody[] = [];
        page.on('request', (request) => {
          if (new URL(request.url()).pathname === '/store/events' && request.method() === 'POST')
            sent.push(request.postDataJSON() as EventsBody);
        });
        const buffer = eventBufferFor(t.ctx.db, createLogger('silent'), () => ({}) as never);
        const flushBoth = async (count: number) => {
          // The tracker batches every 5 s; flush it now, then the server's write buffer.
          await page.evaluate('window.stratus.flush()');
          await expect.poll(() => sent.length).toBeGreaterThanOrEqual(count);
          await new Promise((resolve) => setTimeout(resolve, 100));
          await buffer.flush();
        };
        const count = async (table: 'analytics_events' | 'analytics_sessions' | 'analytics_visitors') =>
          Number(
            (
              await t.ctx.db
                .selectFrom(table)
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        const before = {
          events: await count('analytics_events'),
          visitors: await count('analytics_visitors'),
        };

        await page.goto(`${base}/products/${chairHandle}`);
        await page.getByTestId('consent-banner').waitFor();
        await page.getByRole('button', { name: 'Natural', exact: true }).click();
        await page.getByTestId('add-to-cart').click();
        await page.getByTestId('cart-drawer').getByTestId('cart-line').waitFor();
        await page.waitForFunction('window.stratus !== undefined');
        await flushBoth(1);
        const anonymous = sent.flatMap((body) => body.events.map((event) => ({ body, event })));
        expect(anonymous.map((e) => e.event.name)).toEqual(
          expect.arrayContaining(['page_view', 'view_item', 'add_to_cart', 'view_cart']),
        );
        for (const { body, event } of anonymous) {
          expect(body.consent).toEqual({ analytics: false });
          expect(body.visitor_id).toBeUndefined();
          // Nothing but the name and the time: no page, items, session or customer.
          expect(Object.keys(event).sort()).toEqual(['name', 'timestamp']);
        }
        expect(await count('analytics_events')).toBe(before.events);
        expect(await count('analytics_visitors')).toBe(before.visitors);
        const counts = await t.ctx.db
          .selectFrom('analytics_cookieless_counts')
          .select(['name', 'count'])
          .where('name', 'in', ['view_item', 'add_to_cart'])
          .execute();
        expect(counts.map((c) => c.name).sort()).toEqual(['add_to_cart', 'view_item']);
        expect(await page.evaluate('localStorage.getItem("stratus_vid")')).toBeNull();

        // Accepting turns the tracker on: full events with the product and variant ids.
        sent.length = 0;
        await page.getByTestId('cart-drawer').getByRole('button', { name: 'Close' }).first().click();
        await page.getByTestId('consent-banner').getByRole('button', { name: 'Accept analytics' }).click();
        await page.reload();
        await page.getByRole('heading', { level: 1, name: 'Oak Chair' }).waitFor();
        expect(await page.getByTestId('consent-banner').count()).toBe(0);
        await page.getByRole('button', { name: 'Natural', exact: true }).click();
        await page.getByTestId('add-to-cart').click();
        await expect
          .poll(() => page.getByTestId('cart-drawer').getByTestId('line-quantity').textContent())
          .toBe('2');
        await page.waitForFunction('window.stratus !== undefined');
        await flushBoth(1);
        const visitor = await page.evaluate('localStorage.getItem("stratus_vid")');
        expect(visitor).toEqual(expect.any(String));
        for (const body of sent) {
          expect(body.consent).toEqual({ analytics: true });
          expect(body.visitor_id).toBe(visitor);
        }
        const names = sent.flatMap((body) => body.events.map((e) => e.name));
        expect(names).toEqual(expect.arrayContaining(['page_view', 'view_item', 'add_to_cart']));
        const stored = await t.ctx.db
          .selectFrom('analytics_events')
          .select(['name', 'visitor_id', 'items', 'page'])
          .where('visitor_id', '=', visitor as string)
          .where('name', 'in', ['view_item', 'add_to_cart'])
          .orderBy('occurred_at')
          .execute();
        expect(stored.map((e) => e.name)).toEqual(['view_item', 'add_to_cart']);
        for (const event of stored) {
          expect(JSON.parse(event.items!)[0]).toMatchObject({ item_id: chairId, item_variant: chairVariant });
          expect(event.page).toBe(`/products/${chairHandle}`);
        }
        expect(JSON.parse(stored[1]!.items!)[0]).toMatchObject({ quantity: 1, price: 12900 });
      });
    });

    it('reports every shopping step as a GA4 event the API accepts', async () => {
      await inPage('storefront-events', async (page) => {
        // This shopper accepted analytics on an earlier visit.
        await page.addInitScript(
          "localStorage.setItem('stratus.consent.analytics', 'granted'); localStorage.setItem('stratus_consent', '1');",
        );
        const sent: EventsBody[] = [];
        const answers: Array<Promise<{ accepted: number; rejected: unknown[] }>> = [];
        page.on('request', (request) => {
          if (new URL(request.url()).pathname === '/store/events')
            sent.push(request.postDataJSON() as EventsBody);
        });
        page.on('response', (response) => {
          if (new URL(response.url()).pathname === '/store/events') answers.push(response.json());
        });
        await page.goto(`${base}/`);
        await page.getByRole('searchbox', { name: 'Search products' }).fill('oak');
        await page.getByRole('searchbox', { name: 'Search products' }).press('Enter');
        await page.getByRole('heading', { level: 1, name: 'Results for “oak”' }).waitFor();
        await page.getByTestId('product-card').first().getByRole('link').click();
        await page.getByRole('heading', { level: 1, name: 'Oak Chair' }).waitFor();
        await page.getByRole('button', { name: 'Natural', exact: true }).click();
        await page.getByTestId('add-to-cart').click();
        const drawer = page.getByTestId('cart-drawer');
        await drawer.getByTestId('cart-line').waitFor();
        await drawer.getByRole('button', { name: 'Increase quantity' }).click();
        await expect.poll(() => drawer.getByTestId('line-quantity').textContent()).toBe('2');
        await drawer.getByRole('button', { name: 'Decrease quantity' }).click();
        await expect.poll(() => drawer.getByTestId('line-quantity').textContent()).toBe('1');
        await drawer.getByRole('link', { name: 'Checkout' }).click();
        await page.getByRole('textbox', { name: 'Email' }).fill('events@example.com');
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
        await page.evaluate('window.stratus.flush()');
        await expect.poll(() => answers.length).toBeGreaterThan(0);
        const events = sent.flatMap((body) => body.events);
        const byName = (name: string) => events.filter((e) => e.name === name);
        expect(new Set(events.map((e) => e.name))).toEqual(
          new Set([
            'page_view',
            'view_item_list',
            'search',
            'select_item',
            'view_item',
            'add_to_cart',
            'view_cart',
            'remove_from_cart',
            'begin_checkout',
            'add_shipping_info',
            'add_payment_info',
          ]),
        );
        expect(byName('search')).toEqual([
          expect.objectContaining({ search_term: 'oak', search_results: 1 }),
        ]);
        for (const name of [
          'view_item_list',
          'select_item',
          'view_item',
          'add_to_cart',
          'remove_from_cart',
        ]) {
          expect(byName(name)[0]!.items, name).toEqual([expect.objectContaining({ item_id: chairId })]);
        }
        expect(
          byName('add_to_cart').map((e) => (e.items as Array<{ quantity: number }>)[0]!.quantity),
        ).toEqual([1, 1]);
        expect(byName('begin_checkout')[0]).toMatchObject({ currency: 'usd', value: 12900 });
        expect(byName('add_shipping_info')[0]).toMatchObject({ shipping_tier: 'Courier' });
        expect(byName('add_payment_info')[0]).toMatchObject({ payment_type: 'manual' });
        // One page_view per page: landing, search results, product, checkout.
        expect(byName('page_view').map((e) => String(e.page).split('?')[0])).toEqual([
          '/',
          '/search',
          `/products/${chairHandle}`,
          '/checkout',
        ]);
        // The API took every one of them.
        for (const answer of await Promise.all(answers)) expect(answer.rejected).toEqual([]);
        expect((await Promise.all(answers)).reduce((sum, a) => sum + a.accepted, 0)).toBe(events.length);
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
    });
  },
);
