import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import { createStore, type Store, staff } from '../checkout/store-fixture.js';
import { launchBrowser } from '../helpers/browser.js';

/**
 * The checkout test store (EUR region, two warehouses, products, a shipping option) with real staff
 * sign-in (cookie and bearer sessions) beside the fixture's `x-test-principal: owner` header.
 */
export async function createAdminStore(): Promise<Store> {
  const t = await createStore();
  const real = createAuthenticator(() => identityDeps(t.ctx));
  t.ctx.auth = {
    authenticate: async (request) => (await staff.authenticate(request)) ?? real.authenticate(request),
  };
  return t;
}

/** The admin store listening on a local port, and Chromium: the set-up of the admin browser tests. */
export async function startAdminBrowser(): Promise<{
  t: Store;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}> {
  const t = await createAdminStore();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    t,
    base,
    browser,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}
