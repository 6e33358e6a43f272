import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBufferFor } from '../../src/modules/analytics/event-buffer.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { hasChromium } from '../helpers/browser.js';
import { testDialect } from '../helpers/test-context.js';
import { openShopperStore, type ShopperStore } from './shopper-fixture.js';

interface EventsBody {
  visitor_id?: string;
  consent?: { analytics?: boolean };
  events: Array<Record<string, unknown> & { name: string }>;
}

// The consent banner and the tracker in a real browser, against the real analytics ingestion.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')(
  'storefront consent and tracking in Chromium',
  () => {
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
  },
);
