import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/platform/http/app.js';
import type { Authenticator } from '../src/platform/http/auth.js';
import { createTestContext, type TestContext } from './helpers/test-context.js';

// The guard itself is under test here, so a header-driven authenticator stands in for identity.
const byHeader: Authenticator = {
  authenticate: async (request) => {
    const who = request.headers['x-test-principal'];
    if (who === 'owner') return { kind: 'staff', id: 'usr_owner', permissions: '*' };
    if (who === 'reader') return { kind: 'staff', id: 'usr_reader', permissions: new Set(['catalog:read']) };
    return null;
  },
};

describe('auth guard', () => {
  let t: TestContext;
  let app: App;
  beforeAll(async () => {
    t = await createTestContext();
    t.ctx.auth = byHeader;
    app = await buildApp(t.ctx);
    const reply = { response: { 200: Type.Object({ ok: Type.Boolean() }) } };
    app.get('/admin/things', { schema: reply, config: { permission: 'catalog:read' } }, async () => ({
      ok: true,
    }));
    app.post('/admin/things', { schema: reply, config: { permission: 'catalog:write' } }, async () => ({
      ok: true,
    }));
    app.get('/admin/forgotten', { schema: reply }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('answers 401 without credentials and 403 without the permission', async () => {
    expect((await app.inject({ url: '/admin/things' })).statusCode).toBe(401);
    const reader = { 'x-test-principal': 'reader' };
    expect((await app.inject({ url: '/admin/things', headers: reader })).statusCode).toBe(200);
    const denied = await app.inject({ method: 'POST', url: '/admin/things', headers: reader });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error).toEqual({ code: 'FORBIDDEN', message: 'Missing permission catalog:write' });
    expect(
      (await app.inject({ method: 'POST', url: '/admin/things', headers: { 'x-test-principal': 'owner' } }))
        .statusCode,
    ).toBe(200);
  });

  it('fails closed on an admin route that declares no permission', async () => {
    const res = await app.inject({ url: '/admin/forgotten', headers: { 'x-test-principal': 'owner' } });
    expect(res.statusCode).toBe(403);
  });
});
