import { createAuthenticator, identityDeps } from '../../src/modules/identity/index.js';
import { createStore, type Store, staff } from '../checkout/store-fixture.js';

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
