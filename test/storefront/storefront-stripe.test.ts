import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storefrontSettingsFromEnv } from '../../src/modules/storefront-web/index.js';
import {
  type CatalogApp,
  chairPayload,
  createCatalogApp,
  owner,
  stock,
} from '../catalog/catalog-fixtures.js';
import { hasChromium, launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';
import { testDialect } from '../helpers/test-context.js';

const STRIPE_ENV = {
  STRIPE_PUBLISHABLE_KEY: 'pk_test_storefront',
  STRIPE_SECRET_KEY: 'sk_test_storefront',
  STRIPE_WEBHOOK_SECRET: 'whsec_storefront',
  // Never called here: the shopper falls back to manual payment before a PaymentIntent is made.
  STRIPE_API_BASE: 'http://127.0.0.1:9',
};

// With Stripe configured but Stripe.js unreachable, checkout still works with manual payment.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')(
  'storefront checkout when Stripe cannot be reached',
  () => {
    let t: CatalogApp;
    let browser: Browser;
    let base = '';
    let handle = '';
    const saved: Record<string, string | undefined> = {};

    beforeAll(async () => {
      for (const [key, value] of Object.entries(STRIPE_ENV)) {
        saved[key] = process.env[key];
        process.env[key] = value;
      }
      t = await createCatalogApp();
      const chair = await t.app.inject({
        method: 'POST',
        url: '/admin/products',
        headers: owner,
        payload: chairPayload({ media: [] }),
      });
      expect(chair.statusCode, chair.body).toBe(201);
      handle = chair.json().handle;
      await stock(t, chair.json().variants[0].id, 5);
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
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    it('offers the card form, reports it unavailable when Stripe.js fails to load, and completes with manual payment', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const stripeRequests: string[] = [];
      // Stripe is outside this machine's reach; fail its script fast and record that it was asked for.
      await page.route('https://js.stripe.com/**', (route) => {
        stripeRequests.push(route.request().url());
        return route.abort('internetdisconnected');
      });
      try {
        await withScreenshotOnFailure(page, 'storefront-stripe-degrades', async () => {
          await page.goto(`${base}/products/${handle}`);
          await page.getByTestId('add-to-cart').click();
          await page.getByTestId('cart-drawer').getByRole('link', { name: 'Checkout' }).click();
          await page.getByRole('textbox', { name: 'Email' }).fill('card@example.com');
          await page.getByRole('textbox', { name: 'First name' }).fill('Grace');
          await page.getByRole('textbox', { name: 'Last name' }).fill('Hopper');
          await page.getByRole('textbox', { name: 'Street and number' }).fill('2 Navy Rd');
          await page.getByRole('textbox', { name: 'Postal code' }).fill('20001');
          await page.getByRole('textbox', { name: 'City' }).fill('Arlington');
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByRole('radio', { name: /Courier/ }).check();
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByRole('radio', { name: 'Card' }).check();
          await page.getByTestId('stripe-unavailable').waitFor();
          expect(stripeRequests.length).toBeGreaterThan(0);
          expect(await page.getByRole('radio', { name: 'Card' }).count()).toBe(0);
          expect(await page.getByRole('radio', { name: 'Bank transfer' }).isChecked()).toBe(true);
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.getByTestId('place-order').click();
          await page.getByTestId('confirmation').waitFor();
        });
      } finally {
        await context.close();
      }
      const orders = (await t.app.inject({ url: '/admin/orders?limit=10', headers: owner })).json().data;
      expect(orders.filter((o: { email: string }) => o.email === 'card@example.com')).toHaveLength(1);
    });

    it('embeds the publishable key only when the Stripe provider is configured on the server', async () => {
      const shell = (await t.app.inject({ url: '/checkout' })).body;
      expect(shell).toContain('"stripe_publishable_key":"pk_test_storefront"');
      expect(
        storefrontSettingsFromEnv({ STRIPE_PUBLISHABLE_KEY: 'pk_test_x' }).stripePublishableKey,
      ).toBeNull();
      expect(
        storefrontSettingsFromEnv({
          STRIPE_PUBLISHABLE_KEY: 'sk_live_oops',
          STRIPE_SECRET_KEY: 'a',
          STRIPE_WEBHOOK_SECRET: 'b',
        }).stripePublishableKey,
      ).toBeNull();
    });
  },
);
