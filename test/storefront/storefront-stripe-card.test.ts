import type { AddressInfo } from 'node:net';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogApp,
  chairPayload,
  createCatalogApp,
  owner,
  stock,
} from '../catalog/catalog-fixtures.js';
import { hasChromium, launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';
import { testDialect } from '../helpers/test-context.js';
import { type FakeServer, fakeStripe } from '../payments/fake-providers.js';

/**
 * A stand-in for Stripe.js, served at js.stripe.com in the test browser: a card input mounted into
 * the host element, and `confirmCardPayment` posting to api.stripe.com with the client secret, as the
 * real one does. Like the real one, it refuses a card element that is no longer mounted. Card
 * 4000 0000 0000 0002 is declined (Stripe's test card); any other number pays.
 */
const FAKE_STRIPE_JS = `window.Stripe = function (key) {
  var input = null;
  return {
    elements: function () {
      return { create: function () {
        return { mount: function (host) {
          input = document.createElement('input');
          input.setAttribute('aria-label', 'Card number');
          (typeof host === 'string' ? document.querySelector(host) : host).appendChild(input);
        } };
      } };
    },
    confirmCardPayment: function (secret) {
      if (!input || !input.isConnected)
        return Promise.resolve({ error: { message: 'We could not retrieve data from the specified Element.' } });
      var pm = input.value.replace(/ /g, '') === '4000000000000002' ? 'pm_card_chargeDeclined' : 'pm_card_visa';
      return fetch('https://api.stripe.com/v1/payment_intents/' + secret.split('_secret_')[0] + '/confirm', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'payment_method=' + pm + '&client_secret=' + encodeURIComponent(secret) + '&key=' + encodeURIComponent(key),
      }).then(function (r) { return r.json(); }).then(function (b) {
        return b.error ? { error: b.error } : { paymentIntent: b };
      });
    }
  };
};`;

// The Stripe card path: Stratus creates the PaymentIntent with (fake) Stripe, the browser confirms it
// with the card through (fake) Stripe.js, and completing the cart authorizes the order.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('storefront card checkout with Stripe', () => {
  let t: CatalogApp;
  let browser: Browser;
  let fake: FakeServer & { intents: Map<string, Record<string, unknown>> };
  let base = '';
  let handle = '';
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    fake = await fakeStripe();
    const env = {
      STRIPE_PUBLISHABLE_KEY: 'pk_test_storefront',
      STRIPE_SECRET_KEY: 'sk_test_fake',
      STRIPE_WEBHOOK_SECRET: 'whsec_storefront',
      STRIPE_API_BASE: fake.url,
    };
    for (const [key, value] of Object.entries(env)) {
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
    await fake?.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  /** What Stripe's servers would do for the browser: confirm the intent (here, on the fake API). */
  async function stripeApi(route: Route) {
    const request = route.request();
    const form = new URLSearchParams(request.postData() ?? '');
    const id = new URL(request.url()).pathname.split('/')[3]!;
    const intent = fake.intents.get(id);
    // Stripe checks the client secret against the intent before it takes a card.
    if (!intent || intent.client_secret !== form.get('client_secret')) {
      return route.fulfill({
        status: 404,
        headers: { 'access-control-allow-origin': '*' },
        json: { error: { message: 'No such payment_intent' } },
      });
    }
    const res = await fetch(`${fake.url}/v1/payment_intents/${id}/confirm`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_fake', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ payment_method: form.get('payment_method')! }).toString(),
    });
    return route.fulfill({
      status: res.status,
      headers: { 'access-control-allow-origin': '*' },
      json: await res.json(),
    });
  }

  async function toReview(page: Page) {
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
  }

  it('pays by card: a declined card shows Stripe’s message and makes no order; another card completes it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route('https://js.stripe.com/**', (route) =>
      route.fulfill({ contentType: 'application/javascript', body: FAKE_STRIPE_JS }),
    );
    await page.route('https://api.stripe.com/**', stripeApi);
    try {
      await withScreenshotOnFailure(page, 'storefront-stripe-card', async () => {
        await toReview(page);
        const card = page.getByRole('textbox', { name: 'Card number' });
        await card.fill('4000 0000 0000 0002');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByTestId('place-order').click();
        await expect.poll(() => page.getByRole('alert').textContent()).toBe('Your card was declined.');
        expect((await t.app.inject({ url: '/admin/orders?limit=10', headers: owner })).json().data).toEqual(
          [],
        );
        // Back to the card, another number, and the same "Place order" (same keys) goes through.
        await page.getByRole('button', { name: 'Back' }).click();
        await card.fill('4242 4242 4242 4242');
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.getByTestId('place-order').click();
        await page.getByTestId('confirmation').waitFor();
      });
    } finally {
      await context.close();
    }
    const orders = (await t.app.inject({ url: '/admin/orders?limit=10', headers: owner })).json().data;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ email: 'card@example.com', payment_status: 'authorized' });
    // One PaymentIntent for the cart, confirmed by the browser and authorized for the order's total.
    expect(fake.intents.size).toBe(1);
    const [intent] = [...fake.intents.values()];
    expect(intent).toMatchObject({ status: 'requires_capture', amount: orders[0].total, currency: 'usd' });
  });
});
