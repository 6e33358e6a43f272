import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAnalyticsSettings } from '../../src/modules/analytics/analytics.settings.js';
import { seedTraffic } from '../../src/modules/analytics/traffic-seed.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { OutboxDispatcher } from '../../src/platform/events/dispatcher.js';
import { emit } from '../../src/platform/events/outbox.js';
import { subscribers } from '../../src/platform/events/subscribers.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { readyCart, type Store } from '../checkout/store-fixture.js';
import { hasChromium, launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';
import { customerCredentials, type StaffCredentials, staffCredentials } from '../helpers/identity.js';
import { testDialect } from '../helpers/test-context.js';
import { createAdminStore } from './admin-fixture.js';

const metricsFile = path.resolve(import.meta.dirname, '../../test-results/admin-metrics.json');
const totp = (secret: string, offsetSeconds = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

// The admin app in a real browser, against a real Stratus with seeded demo analytics and real staff sign-in.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('admin app in Chromium', () => {
  let t: Store;
  let browser: Browser;
  let base = '';
  const metrics: Record<string, number> = {};

  beforeAll(async () => {
    t = await createAdminStore();
    const settings = setAnalyticsSettings({ timeZone: 'UTC', currency: 'eur' });
    await seedTraffic(t.ctx.db, settings, { days: 30, sessionsPerOrder: 3, seed: 7, nowMs: Date.now() });
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
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    try {
      return await withScreenshotOnFailure(page, name, () => run(page));
    } finally {
      await context.close();
    }
  }

  async function signIn(page: Page, staff: StaffCredentials, password = staff.password) {
    await page.goto(`${base}/admin`);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it('enrols in TOTP, then signs in with a code and with a recovery code', async () => {
    const owner = await staffCredentials(t, 'owner');
    await inPage('admin-mfa', async (page) => {
      await signIn(page, owner);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.getByRole('link', { name: 'Your account' }).first().click();
      await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
      await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = (await page.getByTestId('mfa-secret').textContent())!;
      await page.getByLabel('Code from your authenticator app').fill(await totp(secret));
      await page.getByRole('button', { name: 'Confirm' }).click();
      const codes = await page.getByTestId('recovery-codes').locator('code').allTextContents();
      expect(codes).toHaveLength(10);
      expect(await page.getByTestId('mfa-state').textContent()).toContain('On');

      await page.getByRole('button', { name: 'Sign out' }).first().click();
      await signIn(page, owner);
      await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
      // The code of the next 30-second step: the enrolment just spent the current one.
      await page.getByLabel('Code from your authenticator app').fill(await totp(secret, 30));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).first().click();
      await signIn(page, owner);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      // A spent recovery code is refused with the API's message.
      await page.getByRole('button', { name: 'Sign out' }).first().click();
      await signIn(page, owner);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code').fill(codes[0]!);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).not.toBe('');
    });
  });

  it('renders the seeded KPIs with non-empty charts, and measures the first render', async () => {
    const owner = await staffCredentials(t, 'owner');
    await inPage('admin-dashboard', async (page) => {
      await signIn(page, owner);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      // A fresh navigation, so the Performance API's clock starts at this page load: first with an
      // empty HTTP cache (every chunk fetched), then warm (the usual case for a merchant).
      const firstRender = async () => {
        await page.goto(`${base}/admin/app/dashboard`);
        await page.waitForFunction(
          () => performance.getEntriesByName('dashboard-rendered').length > 0,
          null,
          {
            timeout: 20_000,
          },
        );
        return Math.round(
          await page.evaluate(() => performance.getEntriesByName('dashboard-rendered')[0]!.startTime),
        );
      };
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.clearBrowserCache');
      metrics.dashboard_first_render_cold_cache_ms = await firstRender();
      metrics.dashboard_first_render_ms = await firstRender();
      console.log(
        `admin dashboard first render (KPIs and charts drawn): ${metrics.dashboard_first_render_cold_cache_ms} ms cold cache, ${metrics.dashboard_first_render_ms} ms warm`,
      );
      const value = (name: string) => page.getByTestId(`kpi-${name}`).getByTestId('kpi-value').textContent();
      expect(await value('orders')).toMatch(/^[1-9][\d,]*$/);
      expect(await value('revenue')).toMatch(/€[1-9]/);
      expect(await value('sessions')).toMatch(/^[1-9][\d,]*$/);
      expect(await value('conversion_rate')).toMatch(/%$/);
      expect(await page.getByTestId('kpi-revenue').textContent()).toContain('Previous period');
      expect(Number(await page.getByTestId('series-points').textContent())).toBeGreaterThan(20);
      expect(await page.getByTestId('series-chart').locator('canvas').count()).toBe(1);
      expect(await page.getByTestId('funnel-chart').locator('canvas').count()).toBe(1);
      expect(await page.getByTestId('top-products').locator('tbody tr').count()).toBe(5);
      expect(await page.getByTestId('zero-results').textContent()).toMatch(
        /gift card|drone|espresso|treadmill/,
      );
      const exportHref = await page.getByTestId('export-csv').getAttribute('href');
      const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), exportHref);
      expect(csv.split('\n')[0]).toContain('kpi');

      await page.getByLabel('Period').selectOption('7');
      expect(await page.getByLabel('From', { exact: true }).inputValue()).not.toBe('');
      await page.getByTestId('metric-select').selectOption('orders');
      await page.getByTestId('series-chart').waitFor();
      await page.getByTestId('language-select').selectOption('pl');
      await page.getByRole('heading', { level: 1, name: 'Pulpit' }).waitFor();
      expect(await page.getByTestId('kpi-revenue').locator('h2').textContent()).toBe('Przychód');
    });
  });

  it('fulfils and ships an order placed through the API; the timeline shows each step', async () => {
    const manager = await staffCredentials(t, 'order_manager');
    const { id: cartId } = await readyCart(
      t,
      [{ variant: t.variants[1]!, quantity: 2 }],
      'buyer@example.com',
    );
    const placed = await t.app.inject({
      method: 'POST',
      url: `/store/carts/${cartId}/complete`,
      payload: {},
    });
    expect(placed.statusCode, placed.body).toBe(200);
    const order = placed.json().order ?? placed.json();
    await inPage('admin-order', async (page) => {
      await signIn(page, manager);
      await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
      await page.getByLabel('Search').fill('buyer@example.com');
      await page.getByRole('link', { name: order.display_number }).click();
      await page.getByRole('heading', { level: 1, name: `Order ${order.display_number}` }).waitFor();
      await page.getByRole('button', { name: /^Fulfil from/ }).click();
      await page.getByTestId('fulfillment').waitFor();
      await page.getByLabel('Carrier').fill('DHL');
      await page.getByLabel('Tracking number').fill('JD0123456789');
      await page.getByRole('button', { name: 'Mark shipped' }).click();
      await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('Shipped');
      const steps = await page.getByTestId('timeline').locator('li').allTextContents();
      expect(steps.some((s) => /fulfillment\(s\) created/.test(s))).toBe(true);
      expect(steps.some((s) => /Shipped with DHL|JD0123456789/.test(s))).toBe(true);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      // A return of one unit, received back into stock without a refund (the order was never paid).
      await page.getByLabel('Return of Product 1 – Default').fill('1');
      await page.getByRole('button', { name: 'Request return' }).click();
      const ret = page.getByTestId('returns').getByRole('listitem').filter({ hasText: 'Requested' });
      await ret.getByLabel('Refund (EUR)').fill('0');
      await ret.getByRole('button', { name: 'Receive return' }).click();
      await page.getByTestId('returns').getByText('Received').waitFor();
      await expect
        .poll(() => page.getByTestId('timeline').textContent())
        .toMatch(/Return requested[\s\S]*Return received/);
    });
  });

  it('hides what a support user may not do and refuses the route', async () => {
    const support = await staffCredentials(t, 'support');
    const customer = await customerCredentials(t);
    await inPage('admin-support', async (page) => {
      await signIn(page, support);
      await page.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
      expect(await page.getByRole('link', { name: 'Dashboard' }).count()).toBe(0);
      await page.goto(`${base}/admin/app/dashboard`);
      await page.getByTestId('forbidden').waitFor();
      expect(await page.getByTestId('export-csv').count()).toBe(0);
      // The API agrees: the export is refused without analytics:read.
      const status = await page.evaluate(
        async () => (await fetch('/admin/analytics/export?report=kpis')).status,
      );
      expect(status).toBe(403);
      // Support reads customers but may not export or erase them (GDPR): no buttons, and the API refuses.
      await page.goto(`${base}/admin/app/customers/${customer.id}`);
      await page.getByRole('heading', { level: 1, name: customer.email }).waitFor();
      expect(await page.getByTestId('customer-export').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Erase customer' }).count()).toBe(0);
      const exportStatus = await page.evaluate(
        async (id) => (await fetch(`/admin/customers/${id}/export`)).status,
        customer.id,
      );
      expect(exportStatus).toBe(403);
    });
  });

  it('creates a product with two variants and prices, then finds it listed', async () => {
    const manager = await staffCredentials(t, 'catalog_manager');
    await inPage('admin-product-create', async (page) => {
      await signIn(page, manager);
      await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
      await page.getByRole('link', { name: 'New product' }).click();
      await page.getByLabel('Title').fill('Walnut Desk');
      await page.getByLabel('Status').selectOption('published');
      await page.getByLabel('Option name (optional)').fill('Size');
      await page.getByRole('button', { name: 'Add a variant' }).click();
      await page.getByLabel('Size of variant 1').fill('120 cm');
      await page.getByLabel('SKU of variant 1').fill('DESK-120');
      await page.getByLabel('Price in EUR of variant 1').fill('349.00');
      await page.getByLabel('Size of variant 2').fill('160 cm');
      await page.getByLabel('SKU of variant 2').fill('DESK-160');
      await page.getByLabel('Price in EUR of variant 2').fill('429,50');
      await page.getByRole('button', { name: 'Create product' }).click();
      await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
      await page.getByLabel('Search').fill('walnut');
      const row = page.getByTestId('products-table').getByRole('row', { name: /Walnut Desk/ });
      await row.waitFor();
      expect(await row.textContent()).toContain('DESK-120, DESK-160');
    });
    const listed = await t.app.inject({
      url: '/admin/products?q=walnut',
      headers: { 'x-test-principal': 'owner' },
    });
    const desk = listed.json().data[0];
    expect(desk.variants.map((v: { sku: string; options: object }) => [v.sku, v.options])).toEqual([
      ['DESK-120', { Size: '120 cm' }],
      ['DESK-160', { Size: '160 cm' }],
    ]);
    const detail = await t.app.inject({
      url: `/admin/products/${desk.id}`,
      headers: { 'x-test-principal': 'owner' },
    });
    const prices = JSON.stringify(detail.json());
    expect(prices).toContain('34900');
    expect(prices).toContain('42950');
  });

  it('imports a CSV with one bad row: nothing changes and the row error is shown', async () => {
    const manager = await staffCredentials(t, 'catalog_manager');
    const csv = [
      'handle,title,status,sku,price_eur',
      'lamp-good,Good Lamp,published,LAMP-GOOD,19.99',
      'lamp-bad,Bad Lamp,published,LAMP-BAD,not-a-price',
      '',
    ].join('\n');
    await inPage('admin-csv-import', async (page) => {
      await signIn(page, manager);
      await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
      await page
        .getByLabel('CSV file')
        .setInputFiles({ name: 'lamps.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const errors = page.getByTestId('import-errors');
      await errors.waitFor();
      const rows = await errors.locator('tbody tr').allTextContents();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatch(/^2price_eur/);
      expect(await page.getByRole('alert').first().textContent()).not.toBe('');
    });
    const listed = await t.app.inject({
      url: '/admin/products?q=lamp',
      headers: { 'x-test-principal': 'owner' },
    });
    expect(listed.json().data).toEqual([]);
  });

  it('adjusts stock with a reason', async () => {
    const manager = await staffCredentials(t, 'catalog_manager');
    const variant = t.variants[2]!;
    await inPage('admin-stock-adjust', async (page) => {
      await signIn(page, manager);
      await page.getByRole('link', { name: 'Inventory' }).click();
      const row = page.locator(`tr[data-variant="${variant}"]`).first();
      await row.waitFor();
      const before = Number(await row.getByTestId('on-hand').textContent());
      await row.getByLabel('Change (+/−)').fill('-3');
      await row.getByLabel('Reason').fill('damaged in storage');
      await row.getByRole('button', { name: 'Apply' }).click();
      await expect.poll(async () => Number(await row.getByTestId('on-hand').textContent())).toBe(before - 3);
      await page
        .getByTestId('movements')
        .getByRole('row', { name: /damaged in storage/ })
        .waitFor();
    });
    const movements = await t.app.inject({
      url: `/admin/inventory/movements?variant_id=${variant}`,
      headers: { 'x-test-principal': 'owner' },
    });
    expect(JSON.stringify(movements.json())).toContain('damaged in storage');
  });

  it("exports a customer's data and erases the customer after typed confirmation", async () => {
    const owner = await staffCredentials(t, 'owner');
    const customer = await customerCredentials(t, { first_name: 'Marie', last_name: 'Curie' });
    await inPage('admin-customer-gdpr', async (page) => {
      await signIn(page, owner);
      await page.getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('searchbox', { name: 'Email' }).fill(customer.email);
      await page.getByRole('link', { name: customer.email }).click();
      await page.getByRole('heading', { level: 1, name: customer.email }).waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('customer-export').click(),
      ]);
      expect(download.suggestedFilename()).toBe(`customer-${customer.id}.json`);
      await page.getByRole('button', { name: 'Erase customer' }).click();
      const confirm = page.getByRole('button', { name: 'Erase for good' });
      expect(await confirm.isDisabled()).toBe(true);
      await page.getByLabel(`Type ${customer.email} to confirm`).fill(customer.email);
      await confirm.click();
      await page.getByText('The customer was erased.').waitFor();
    });
    const after = await t.app.inject({
      url: `/admin/customers/${customer.id}`,
      headers: { 'x-test-principal': 'owner' },
    });
    expect(after.json().email).not.toBe(customer.email);
  });

  it('shows health and backups on the system page, and replays a dead letter', async () => {
    const owner = await staffCredentials(t, 'owner');
    await inTransaction(t.ctx.db, (trx) => emit(trx, { topic: 'order.placed', payload: { id: 'ord_dead' } }));
    const delivery = await t.ctx.db
      .selectFrom('outbox_deliveries')
      .select('id')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await t.ctx.db
      .updateTable('outbox_deliveries')
      .set({ status: 'dead', attempts: 8, last_error: 'crm is down' })
      .where('id', '=', delivery.id)
      .execute();
    await inPage('admin-system', async (page) => {
      await signIn(page, owner);
      await page.getByRole('link', { name: 'System' }).click();
      await page.getByRole('heading', { level: 1, name: 'System' }).waitFor();
      await expect.poll(() => page.getByTestId('health').textContent()).toContain('ok');
      await page.getByTestId('backups').getByText('Backups are not configured').waitFor();
      const row = page.getByTestId('dead-letters').getByRole('row', { name: /crm is down/ });
      await row.getByRole('button', { name: 'Replay' }).click();
      await page.getByText('1 deliveries queued again.').waitFor();
    });
    const after = await t.ctx.db
      .selectFrom('outbox_deliveries')
      .select('status')
      .where('id', '=', delivery.id)
      .executeTakeFirstOrThrow();
    expect(after.status).not.toBe('dead');
  });

  it('shows the permission matrix, changes a role, and creates a scoped API key shown once', async () => {
    const owner = await staffCredentials(t, 'owner');
    const analyst = await staffCredentials(t, 'analyst');
    await inPage('admin-staff-keys', async (page) => {
      await signIn(page, owner);
      await page.getByRole('link', { name: 'Staff and roles' }).click();
      const matrix = page.getByTestId('permission-matrix');
      await matrix.getByRole('columnheader', { name: 'support' }).waitFor();
      const exportRow = matrix.getByRole('row', { name: /^customers:export/ });
      // Roles and permissions load separately: wait for the row, not just the role columns.
      await exportRow.waitFor();
      expect(await exportRow.getByRole('cell', { name: 'granted', exact: true }).count()).toBeGreaterThan(0);
      await page.getByLabel(`Role of ${analyst.email}`).selectOption('order_manager');
      await expect
        .poll(
          async () => (await t.app.inject({ url: '/admin/me', headers: analyst.headers })).json().staff.role,
        )
        .toBe('order_manager');

      await page.getByRole('link', { name: 'API keys' }).click();
      await page.getByLabel('Name').fill('ERP sync');
      await page.getByRole('checkbox', { name: 'orders:read' }).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = (await page.getByTestId('new-key').textContent())!;
      expect(key.length).toBeGreaterThan(20);
      await page
        .getByTestId('keys-table')
        .getByRole('row', { name: /ERP sync/ })
        .waitFor();
    });
    const key = await t.ctx.db
      .selectFrom('api_keys')
      .select(['name', 'scopes'])
      .where('name', '=', 'ERP sync')
      .executeTakeFirst();
    expect(key?.scopes).toContain('orders:read');
  });

  it('a refund lowers the revenue KPI', async () => {
    const owner = await staffCredentials(t, 'owner');
    // The worker's job, done here step by step: deliver every pending event (analytics records orders
    // and refunds from order.placed and order.refunded).
    const dispatcher = new OutboxDispatcher({
      db: t.ctx.db,
      registry: subscribers,
      logger: createLogger('silent'),
      pollIntervalMs: 5,
      batchSize: 100,
      maxAttempts: 3,
      leaseMs: 10_000,
      retryBaseMs: 1,
      maxRetryDelayMs: 5,
    });
    const deliver = async () => {
      for (let i = 0; i < 20 && (await dispatcher.runOnce()) > 0; i++);
    };
    const { id: cartId } = await readyCart(
      t,
      [{ variant: t.variants[0]!, quantity: 3 }],
      'refund@example.com',
    );
    const placed = await t.app.inject({
      method: 'POST',
      url: `/store/carts/${cartId}/complete`,
      payload: {},
    });
    const order = placed.json().order ?? placed.json();
    await deliver();
    const today = new Date().toISOString().slice(0, 10);
    const revenueToday = async (page: Page) => {
      await page.goto(`${base}/admin/app/dashboard`);
      await page.getByLabel('From', { exact: true }).fill(today);
      await page.getByLabel('To', { exact: true }).fill(today);
      await page.getByLabel('Time zone').selectOption('UTC');
      const value = page.getByTestId('kpi-revenue').getByTestId('kpi-value');
      await expect.poll(() => value.textContent()).toMatch(/€[1-9]/);
      return Number((await value.textContent())!.replace(/[^\d.]/g, ''));
    };
    await inPage('admin-refund-kpi', async (page) => {
      await signIn(page, owner);
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.goto(`${base}/admin/app/orders/${order.id}`);
      await page.getByRole('button', { name: 'Capture payment' }).click();
      await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('Paid');
      await deliver();
      const before = await revenueToday(page);
      await page.goto(`${base}/admin/app/orders/${order.id}`);
      await page.getByLabel('Refund amount (EUR)').fill('10.00');
      await page.getByRole('button', { name: 'Refund' }).click();
      await expect.poll(() => page.getByTestId('order-refunded').textContent()).toBe('€10.00');
      await deliver();
      expect(await revenueToday(page)).toBeCloseTo(before - 10, 2);
    });
  });
});
