import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import {
  byHeader,
  type CatalogApp,
  chairPayload,
  createCatalogApp,
  owner,
  stock,
} from '../catalog/catalog-fixtures.js';
import { launchBrowser, withScreenshotOnFailure } from '../helpers/browser.js';

// Headless Chromium says "HeadlessChrome", which the analytics bot filter drops; shoppers do not.
const SHOPPER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

export interface ShopperStore {
  t: CatalogApp;
  base: string;
  chair: { handle: string; id: string; variant: string };
  /** A fresh browser context (own storage and cookies) with a desktop Chrome user agent. */
  inPage<T>(name: string, run: (page: Page) => Promise<T>): Promise<T>;
  /** The newest mail in the development outbox sent to `to` whose text contains `subject`. */
  mailTo(to: string, subject: string): string;
  signIn(page: Page, email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A listening Stratus for shopper browser tests: the Oak Chair in stock, a Courier shipping option,
 * staff calls by the catalog fixtures' test header and shoppers through the identity module's real
 * sessions (cookie + CSRF). Mail goes to the development outbox.
 */
export async function openShopperStore(): Promise<ShopperStore> {
  const t = await createCatalogApp();
  const identity = createAuthenticator(() => identityDeps(t.ctx));
  t.ctx.auth = {
    authenticate: async (request) =>
      (await byHeader.authenticate(request)) ?? (await identity.authenticate(request)),
  };
  const created = await t.app.inject({
    method: 'POST',
    url: '/admin/products',
    headers: owner,
    payload: chairPayload({ media: [] }),
  });
  expect(created.statusCode, created.body).toBe(201);
  const chair = {
    handle: created.json().handle as string,
    id: created.json().id as string,
    variant: created.json().variants[0].id as string,
  };
  await stock(t, chair.variant, 50);
  const option = await t.app.inject({
    method: 'POST',
    url: '/admin/shipping-options',
    headers: owner,
    payload: { region_id: t.regionId, name: 'Courier', price_type: 'flat', amount: 1000 },
  });
  expect(option.statusCode, option.body).toBe(201);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser: Browser = await launchBrowser();
  return {
    t,
    base,
    chair,
    async inPage(name, run) {
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
    },
    mailTo(to, subject) {
      const dir = path.join(t.config.dataDir, 'mail-outbox');
      const found = readdirSync(dir)
        .sort()
        .map((file) => readFileSync(path.join(dir, file), 'utf8'))
        .filter((eml) => eml.includes(`To: ${to}\r\n`) && eml.includes(subject));
      if (found.length === 0) throw new Error(`no "${subject}" mail to ${to}`);
      return found[found.length - 1]!;
    },
    async signIn(page, email, password) {
      await page.goto(`${base}/account/login`);
      await page.getByRole('textbox', { name: 'Email' }).fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('account-email').waitFor();
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
