import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, identityDeps, registerCustomer } from '../../src/modules/identity/index.js';
import { createTestApp, type TestApp, testRedisUrl } from '../helpers/test-context.js';

const meta = { ip: '127.0.0.1', user_agent: 'vitest', request_id: 'test', secure: false };

// Two API nodes of one deployment: the same database (and Redis, when the run has one), built apart.
// A session signed in on one node works on the other, and a sign-out on one ends it on both.
describe('sessions across nodes', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env: Record<string, string> = testRedisUrl ? { REDIS_URL: testRedisUrl } : {};
    a = await createTestApp({ env });
    b = await createTestApp({ env, shareDatabaseWith: a });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('accepts a customer cookie session from node A on node B, and revokes it on B when A logs out', async () => {
    const email = 'two-nodes@example.test';
    const password = 'lantern harbour violet';
    await registerCustomer(await identityDeps(a.ctx), { email, password }, meta);
    const login = await a.app.inject({
      method: 'POST',
      url: '/store/auth/login',
      payload: { email, password, transport: 'cookie' },
    });
    expect(login.statusCode).toBe(200);
    const cookies = { stratus_session: login.cookies.find((c) => c.name === 'stratus_session')!.value };
    const csrf = { 'x-csrf-token': login.json().csrf_token as string };

    const me = await b.app.inject({ url: '/store/customers/me', cookies });
    expect(me.statusCode).toBe(200);
    expect(me.json().email).toBe(email);
    // B checks A's CSRF token too (the same session secret on every node).
    const renamed = await b.app.inject({
      method: 'PATCH',
      url: '/store/customers/me',
      cookies,
      headers: csrf,
      payload: { first_name: 'Both' },
    });
    expect(renamed.statusCode).toBe(200);
    expect((await a.app.inject({ url: '/store/customers/me', cookies })).json().first_name).toBe('Both');

    const logout = await a.app.inject({ method: 'POST', url: '/store/auth/logout', cookies, headers: csrf });
    expect(logout.statusCode).toBe(200);
    const after = await b.app.inject({ url: '/store/customers/me', cookies });
    expect(after.statusCode).toBe(401);
    expect((await a.app.inject({ url: '/store/customers/me', cookies })).statusCode).toBe(401);
  });

  it('accepts a staff bearer session from node A on node B, and revokes it on B when A logs out', async () => {
    const email = 'ops-two-nodes@example.test';
    const password = 'copper meadow signal';
    await createStaff(await identityDeps(a.ctx), { email, password, role: 'admin', name: 'Ops' });
    const login = await a.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email, password, transport: 'bearer' },
    });
    expect(login.statusCode).toBe(200);
    const headers = { authorization: `Bearer ${login.json().token as string}` };
    const me = await b.app.inject({ url: '/admin/me', headers });
    expect(me.statusCode).toBe(200);
    expect(me.json().staff.email).toBe(email);
    expect((await a.app.inject({ method: 'POST', url: '/admin/auth/logout', headers })).statusCode).toBe(200);
    expect((await b.app.inject({ url: '/admin/me', headers })).statusCode).toBe(401);
  });
});
