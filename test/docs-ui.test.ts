import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, withScreenshotOnFailure } from './helpers/browser.js';
import { createTestApp, type TestApp, testDialect } from './helpers/test-context.js';

// The docs UI in a real browser: it must load /openapi.json and render the operations.
describe.skipIf(!hasChromium || testDialect !== 'sqlite')('API docs UI in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the API title and the health operations from /openapi.json', async () => {
    const page = await browser.newPage();
    await withScreenshotOnFailure(page, 'docs-ui', async () => {
      await page.goto(`${base}/docs`);
      await page.getByText('Stratus API').first().waitFor({ timeout: 15_000 });
      await page.getByText('/health/ready').first().waitFor({ timeout: 15_000 });
      expect(await page.title()).not.toBe('');
    });
  });
});
