import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../src/modules/identity/index.js';
import { declaredPermissions } from '../../src/platform/http/auth.js';
import { customerCredentials, staffCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

interface Caller {
  name: string;
  headers: Record<string, string>;
  holds(permission: string): boolean;
  staff: boolean;
}

/** Every admin operation in the OpenAPI document, with the permission its route declared. */
async function adminOperations(t: TestApp) {
  const doc = (await t.app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const declared = declaredPermissions(t.app);
  const operations: { method: string; path: string; url: string; permission: string | undefined }[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.startsWith('/admin/')) continue;
    for (const method of Object.keys(methods)) {
      const route = path.replace(/\{([^}]+)\}/g, ':$1');
      operations.push({
        method: method.toUpperCase(),
        path,
        url: path.replace(/\{[^}]+\}/g, 'zz_missing'),
        permission: declared.get(`${method.toUpperCase()} ${route}`),
      });
    }
  }
  // Signing out ends the caller's session, so it goes last.
  return operations.sort(
    (a, b) => Number(a.path === '/admin/auth/logout') - Number(b.path === '/admin/auth/logout'),
  );
}

describe('RBAC matrix over every admin route and every role', () => {
  let t: TestApp;
  const callers: Caller[] = [];
  beforeAll(async () => {
    t = await createTestApp({ env: { STRATUS_RATE_LIMIT_PER_MINUTE: '100000' } });
    for (const role of BUILTIN_ROLES) {
      const creds = await staffCredentials(t, role.name);
      const perms = role.permissions;
      callers.push({
        name: role.name,
        headers: creds.headers,
        holds: (p) => perms === '*' || perms.includes(p),
        staff: true,
      });
    }
    const owner = callers[0]!;
    const key = await t.app.inject({
      method: 'POST',
      url: '/admin/api-keys',
      headers: owner.headers,
      payload: { kind: 'secret', name: 'crm sync', scopes: ['customers:read', 'orders:read'] },
    });
    const scopes = new Set(['customers:read', 'orders:read']);
    callers.push({
      name: 'api key',
      headers: { authorization: `Bearer ${key.json().token}` },
      holds: (p) => scopes.has(p),
      staff: false,
    });
    const customer = await customerCredentials(t);
    callers.push({ name: 'customer', headers: customer.headers, holds: () => false, staff: false });
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds a declared permission on every admin route', async () => {
    const operations = await adminOperations(t);
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.filter((o) => !o.permission).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    // Opting out is explicit and rare: only signing in, accepting an invitation and resetting a
    // forgotten password.
    expect(
      operations
        .filter((o) => o.permission === 'public')
        .map((o) => `${o.method} ${o.path}`)
        .sort(),
    ).toEqual([
      'POST /admin/auth/invitations/accept',
      'POST /admin/auth/login',
      'POST /admin/auth/mfa',
      'POST /admin/auth/password-reset',
      'POST /admin/auth/password-reset/confirm',
    ]);
  });

  it('allows exactly the roles that hold the permission, and refuses everyone else', async () => {
    const operations = await adminOperations(t);
    const mismatches: string[] = [];
    let checked = 0;
    for (const caller of callers) {
      for (const op of operations) {
        if (op.permission === 'public') continue;
        const res = await t.app.inject({
          method: op.method as 'GET',
          url: op.url,
          headers: caller.headers,
          ...(['POST', 'PUT', 'PATCH'].includes(op.method) ? { payload: {} } : {}),
        });
        checked++;
        const allowed =
          caller.name === 'customer'
            ? false
            : op.permission === 'account:self'
              ? caller.staff
              : caller.holds(op.permission!);
        const expected = caller.name === 'customer' ? [401] : allowed ? null : [403];
        const ok = expected ? expected.includes(res.statusCode) : ![401, 403].includes(res.statusCode);
        if (!ok)
          mismatches.push(`${caller.name} ${op.method} ${op.path} (${op.permission}) -> ${res.statusCode}`);
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(mismatches).toEqual([]);
  });

  it('support reads customers but can neither export nor erase; analyst writes nothing', () => {
    const support = BUILTIN_ROLES.find((r) => r.name === 'support')!.permissions as string[];
    expect(support).toContain('customers:read');
    expect(support).not.toContain('customers:export');
    expect(support).not.toContain('customers:erase');
    const analyst = BUILTIN_ROLES.find((r) => r.name === 'analyst')!.permissions as string[];
    expect(analyst.every((p) => p.endsWith(':read'))).toBe(true);
  });
});

describe('API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const create = async (headers: Record<string, string>, body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/api-keys',
      headers,
      payload: { kind: 'secret', name: 'k', ...body },
    });

  it('enforces scopes, is shown once and stored hashed, and refuses revoked and expired keys', async () => {
    const owner = await staffCredentials(t, 'owner');
    const created = await create(owner.headers, { scopes: ['customers:read'] });
    expect(created.statusCode).toBe(201);
    const { key, token } = created.json();
    expect(token).toMatch(/^sk_/);
    expect(key.prefix).toBe(`${token.slice(0, 10)}…`);
    const stored = await t.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    const listed = await t.app.inject({ url: '/admin/api-keys', headers: owner.headers });
    expect(JSON.stringify(listed.json())).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/admin/customers', headers: bearer })).statusCode).toBe(200);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/admin/customer-groups',
      headers: bearer,
      payload: { name: 'vip' },
    });
    expect(denied.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/admin/me', headers: bearer })).statusCode).toBe(403);
    // A secret key is for the admin API only.
    expect((await t.app.inject({ url: '/store/customers/me', headers: bearer })).statusCode).toBe(401);
    const used = await t.ctx.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', key.id)
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();

    const revoke = await t.app.inject({
      method: 'POST',
      url: `/admin/api-keys/${key.id}/revoke`,
      headers: owner.headers,
    });
    expect(revoke.json().revoked_at).not.toBeNull();
    expect((await t.app.inject({ url: '/admin/customers', headers: bearer })).statusCode).toBe(401);

    const expiring = await create(owner.headers, {
      scopes: ['customers:read'],
      expires_at: new Date(Date.now() + 1500).toISOString(),
    });
    const expiringBearer = { authorization: `Bearer ${expiring.json().token}` };
    expect((await t.app.inject({ url: '/admin/customers', headers: expiringBearer })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await t.app.inject({ url: '/admin/customers', headers: expiringBearer })).statusCode).toBe(401);

    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('target_id', '=', key.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['api_key.created', 'api_key.used', 'api_key.revoked']),
    );
  });

  it('a key cannot carry scopes its creator lacks, and a key can only mint narrower keys', async () => {
    const marketing = await staffCredentials(t, 'marketing');
    const wide = await create(marketing.headers, { scopes: ['customers:export'] });
    expect(wide.statusCode).toBe(403);
    const owner = await staffCredentials(t, 'owner');
    const keyAdmin = await create(owner.headers, { scopes: ['settings:write', 'settings:read'] });
    const viaKey = await create(
      { authorization: `Bearer ${keyAdmin.json().token}` },
      { scopes: ['customers:read'] },
    );
    expect(viaKey.json().error.code).toBe('PRIVILEGE_ESCALATION');
  });

  it('publishable keys pick a sales channel and authenticate nothing', async () => {
    const owner = await staffCredentials(t, 'owner');
    const pk = await t.app.inject({
      method: 'POST',
      url: '/admin/api-keys',
      headers: owner.headers,
      payload: { kind: 'publishable', name: 'web shop', sales_channel_id: 'sc_web' },
    });
    expect(pk.json().token).toMatch(/^pk_/);
    const { resolvePublishableKey } = await import('../../src/modules/identity/index.js');
    expect(await resolvePublishableKey(t.ctx.db, pk.json().token)).toEqual({
      id: pk.json().key.id,
      sales_channel_id: 'sc_web',
    });
    expect(await resolvePublishableKey(t.ctx.db, 'pk_unknown')).toBeNull();
    expect(
      (
        await t.app.inject({
          url: '/admin/customers',
          headers: { authorization: `Bearer ${pk.json().token}` },
        })
      ).statusCode,
    ).toBe(401);
  });
});
