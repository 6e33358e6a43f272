import { randomBytes } from 'node:crypto';
import {
  createStaff,
  identityDeps,
  loginCustomer,
  loginStaff,
  registerCustomer,
} from '../../src/modules/identity/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import type { TestContext } from './test-context.js';

const meta = { ip: '127.0.0.1', user_agent: 'vitest', request_id: 'test', secure: false };

export interface StaffCredentials {
  id: string;
  email: string;
  password: string;
  headers: { authorization: string };
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

/**
 * Real credentials for a staff member with a built-in role (owner, admin, catalog_manager,
 * order_manager, marketing, analyst, support) or a custom role's name or id: a new staff user and
 * a bearer session, through the same code the API uses.
 *
 *   const owner = await adminHeaders(t, 'owner');
 *   await app.inject({ url: '/admin/products', headers: owner });
 */
export async function staffCredentials(t: TestContext, role: string): Promise<StaffCredentials> {
  const deps = await identityDeps(t.ctx);
  const email = `staff-${role}-${unique()}@example.test`;
  const password = `correct horse ${unique()}`;
  const staff = await createStaff(deps, { email, password, role, name: `Test ${role}` });
  const result = await loginStaff(deps, { email, password, transport: 'bearer' }, meta);
  if (result.kind !== 'session') throw new Error('staff login needs MFA; use the MFA flow in that test');
  return { id: staff.id, email, password, headers: { authorization: `Bearer ${result.token}` } };
}

export async function adminHeaders(t: TestContext, role = 'owner'): Promise<{ authorization: string }> {
  return (await staffCredentials(t, role)).headers;
}

export interface CustomerCredentials {
  id: string;
  email: string;
  password: string;
  headers: { authorization: string };
}

/** A registered customer signed in with a bearer token (for `/store/customers/me/*`). */
export async function customerCredentials(
  t: TestContext,
  profile: { email?: string; first_name?: string; last_name?: string; phone?: string } = {},
): Promise<CustomerCredentials> {
  const deps = await identityDeps(t.ctx);
  const email = profile.email ?? `customer-${unique()}@example.test`;
  const password = `correct horse ${unique()}`;
  await registerCustomer(deps, { ...profile, email, password }, meta);
  const { session, token } = await loginCustomer(deps, { email, password, transport: 'bearer' }, meta);
  return { id: session.subject_id, email, password, headers: { authorization: `Bearer ${token}` } };
}

export async function customerHeaders(t: TestContext): Promise<{ authorization: string }> {
  return (await customerCredentials(t)).headers;
}

/** Sets a security setting directly (e.g. `require_staff_mfa`). */
export async function setSecuritySetting(t: TestContext, key: string, value: unknown): Promise<void> {
  await inTransaction(t.ctx.db, async (trx) => {
    await trx
      .insertInto('settings')
      .values({ key: `security.${key}`, value: JSON.stringify(value), updated_at: new Date().toISOString() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value) }))
      .execute();
  });
}
