import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldCrypto } from '../../src/platform/crypto/field-crypto.js';
import { startSmtpServer, tokenFrom } from '../helpers/smtp.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

describe('customer accounts', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { STRATUS_SMTP_URL: smtp.url, STRATUS_LOGIN_MAX_FAILURES: '4' } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const register = (body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/store/customers', payload: body });
  const login = (email: string, password: string, transport = 'bearer', ip = '10.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/store/auth/login',
      payload: { email, password, transport },
      remoteAddress: ip,
    });

  it('registers, verifies the email through a single-use token sent by SMTP, and signs in', async () => {
    const email = 'ada@example.test';
    const res = await register({
      email,
      password: 'analytical engine 1843',
      first_name: 'Ada',
      phone: '+44 20 7946 0001',
    });
    expect(res.statusCode).toBe(202);
    const [mail] = await smtp.waitFor(email);
    const token = tokenFrom(mail!);
    const verify = await t.app.inject({
      method: 'POST',
      url: '/store/auth/verify-email',
      payload: { token },
    });
    expect(verify.statusCode).toBe(200);
    const again = await t.app.inject({ method: 'POST', url: '/store/auth/verify-email', payload: { token } });
    expect(again.json().error.code).toBe('TOKEN_INVALID');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/store/auth/verify-email',
      payload: { token: `${token.split('.')[0]}.AAAA` },
    });
    expect(forged.json().error.code).toBe('TOKEN_INVALID');

    const signedIn = await login(email, 'analytical engine 1843');
    expect(signedIn.statusCode).toBe(200);
    const headers = { authorization: `Bearer ${signedIn.json().token}` };
    const me = await t.app.inject({ url: '/store/customers/me', headers });
    expect(me.json()).toMatchObject({
      email,
      first_name: 'Ada',
      phone: '+44 20 7946 0001',
      email_verified: true,
    });
  });

  it('answers a taken email exactly like a new one, and tells the owner by mail', async () => {
    const email = 'taken@example.test';
    const first = await register({ email, password: 'first password here' });
    const second = await register({ email, password: 'second password here' });
    expect(second.statusCode).toBe(first.statusCode);
    expect(second.body).toBe(first.body);
    const mails = await smtp.waitFor(email, 2);
    expect(mails[1]!.raw).toContain('already have an account');
  });

  it('refuses short, common and email-derived passwords (NIST 800-63B) and writes nothing', async () => {
    const count = async () =>
      Number(
        (
          await t.ctx.db
            .selectFrom('customers')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    for (const password of ['short', 'password123', 'weakling@example.test-x', 'xxxxxxxxxxxx']) {
      const res = await register({ email: 'weakling@example.test', password });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('WEAK_PASSWORD');
    }
    expect(await count()).toBe(before);
    expect(
      (await register({ email: 'weakling@example.test', password: 'Tr0ub4dor&3 but longer' })).statusCode,
    ).toBe(202);
    expect(await count()).toBe(before + 1);
  });

  it('resets a password with a single-use emailed token and ends every session', async () => {
    const email = 'reset@example.test';
    await register({ email, password: 'old password value' });
    await smtp.waitFor(email);
    const session = await login(email, 'old password value');
    const headers = { authorization: `Bearer ${session.json().token}` };
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset',
      payload: { email: 'nobody@example.test' },
    });
    const known = await t.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset',
      payload: { email },
    });
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    const mails = await smtp.waitFor(email, 2);
    const token = tokenFrom(mails[1]!);
    const confirm = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/store/auth/password-reset/confirm',
        payload: { token, password },
      });
    expect((await confirm('new password value')).statusCode).toBe(200);
    expect((await confirm('another new password')).json().error.code).toBe('TOKEN_INVALID');
    expect((await t.app.inject({ url: '/store/customers/me', headers })).statusCode).toBe(401);
    expect((await login(email, 'old password value')).statusCode).toBe(401);
    expect((await login(email, 'new password value')).statusCode).toBe(200);
  });

  it('locks an account name after repeated failures with the same answer whether or not it exists', async () => {
    const email = 'lock@example.test';
    await register({ email, password: 'the right password' });
    const unknownEmail = 'ghost@example.test';
    const answers: Record<string, { status: number; body: unknown }[]> = { known: [], unknown: [] };
    const since = await t.ctx.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 5; i++) {
      for (const [kind, who] of [
        ['known', email],
        ['unknown', unknownEmail],
      ] as const) {
        const res = await login(who, 'a wrong password', 'bearer', `10.1.${i}.${kind === 'known' ? 1 : 2}`);
        answers[kind]!.push({ status: res.statusCode, body: res.json().error.code });
      }
    }
    expect(answers.known).toEqual(answers.unknown);
    expect(
      answers.known!.slice(0, 4).every((a) => a.status === 401 && a.body === 'INVALID_CREDENTIALS'),
    ).toBe(true);
    expect(answers.known![4]).toEqual({ status: 429, body: 'LOGIN_LOCKED' });
    // Locked means locked: even the right password is refused until the lock ends.
    const right = await login(email, 'the right password', 'bearer', '10.9.9.9');
    expect(right.statusCode).toBe(429);
    // Every failure is audited as customer.login_failed: the known name with its account as the
    // target, the unknown one with none, both with the client's IP (pseudonymised) and no password.
    const failed = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'customer.login_failed')
      .where('seq', '>', Number(since.seq ?? 0))
      .orderBy('seq')
      .execute();
    const index = (await fieldCrypto(t.ctx.db, t.ctx.secrets)).blindIndex('email', email);
    const customer = await t.ctx.db
      .selectFrom('customers')
      .select('id')
      .where('email_index', '=', index)
      .executeTakeFirstOrThrow();
    const known = failed.filter((row) => row.target_id === customer.id);
    const unknown = failed.filter((row) => row.target_id === null);
    expect(known.length + unknown.length).toBe(failed.length);
    // Four failures each before the lock (STRATUS_LOGIN_MAX_FAILURES=4); locked answers are not checks.
    expect(known).toHaveLength(4);
    expect(unknown).toHaveLength(4);
    for (const row of failed) {
      expect(row).toMatchObject({ target_type: 'customer', outcome: 'failure', actor_kind: 'anonymous' });
      expect(row.ip).toMatch(/^hmac:/);
    }
    expect(JSON.stringify(failed)).not.toContain('wrong password');
    expect(JSON.stringify(failed)).not.toContain(email);
  });

  it('uses httpOnly SameSite cookies with CSRF protection for browsers', async () => {
    const email = 'cookie@example.test';
    await register({ email, password: 'biscuit monster pass' });
    const res = await login(email, 'biscuit monster pass', 'cookie');
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'stratus_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    expect(cookie.secure).toBeFalsy();
    expect(res.json().token).toBeUndefined();
    const cookies = { stratus_session: cookie.value };
    expect((await t.app.inject({ url: '/store/customers/me', cookies })).statusCode).toBe(200);
    const patch = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'PATCH',
        url: '/store/customers/me',
        cookies,
        headers,
        payload: { first_name: 'Cookie' },
      });
    const noCsrf = await patch({});
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.code).toBe('CSRF_FAILED');
    expect((await patch({ 'x-csrf-token': res.json().csrf_token })).statusCode).toBe(200);

    const secure = await t.app.inject({
      method: 'POST',
      url: '/store/auth/login',
      payload: { email, password: 'biscuit monster pass' },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // Without STRATUS_TRUST_PROXY the forwarded header is ignored: plain HTTP, no Secure flag.
    expect(secure.cookies.find((c) => c.name === 'stratus_session')!.secure).toBeFalsy();
  });

  it('sets the Secure flag behind a TLS-terminating proxy (STRATUS_TRUST_PROXY=true)', async () => {
    const proxied = await createTestApp({ env: { STRATUS_TRUST_PROXY: 'true' } });
    try {
      const email = 'behind-proxy@example.test';
      const password = 'terminated at the edge';
      await proxied.app.inject({ method: 'POST', url: '/store/customers', payload: { email, password } });
      const login = (headers: Record<string, string>) =>
        proxied.app.inject({
          method: 'POST',
          url: '/store/auth/login',
          payload: { email, password, transport: 'cookie' },
          headers,
        });
      const tls = await login({ 'x-forwarded-proto': 'https' });
      expect(tls.statusCode, tls.body).toBe(200);
      const cookie = tls.cookies.find((c) => c.name === 'stratus_session')!;
      expect(cookie.secure).toBe(true);
      expect(cookie.httpOnly).toBe(true);
      expect(cookie.sameSite).toBe('Lax');
      // The same proxy forwarding plain HTTP: no Secure flag (the browser would drop the cookie).
      const plain = await login({ 'x-forwarded-proto': 'http' });
      expect(plain.cookies.find((c) => c.name === 'stratus_session')!.secure).toBeFalsy();
    } finally {
      await proxied.close();
    }
  });

  it('lists and revokes sessions, and never shows another customer’s', async () => {
    const email = 'sessions@example.test';
    await register({ email, password: 'several devices here' });
    const a = (await login(email, 'several devices here')).json();
    const b = (await login(email, 'several devices here')).json();
    const headers = { authorization: `Bearer ${a.token}` };
    const list = await t.app.inject({ url: '/store/customers/me/sessions', headers });
    expect(
      list
        .json()
        .data.map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([a.session_id, b.session_id].sort());
    expect(list.json().data.find((s: { current: boolean }) => s.current).id).toBe(a.session_id);
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/store/customers/me/sessions/${b.session_id}`, headers }))
        .statusCode,
    ).toBe(204);
    expect(
      (await t.app.inject({ url: '/store/customers/me', headers: { authorization: `Bearer ${b.token}` } }))
        .statusCode,
    ).toBe(401);
    const logout = await t.app.inject({ method: 'POST', url: '/store/auth/logout', headers });
    expect(logout.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/store/customers/me', headers })).statusCode).toBe(401);
  });

  it('sends security headers and honours the CORS allow-list', async () => {
    const res = await t.app.inject({ url: '/health/live', headers: { origin: 'https://evil.example' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    // A second node on the same database (two live PostgreSQL test schemas trip the migrator's lock check).
    const allowed = await createTestApp({
      env: { STRATUS_CORS_ORIGINS: 'https://shop.example' },
      shareDatabaseWith: t,
    });
    try {
      const preflight = (origin: string) =>
        allowed.app.inject({
          method: 'OPTIONS',
          url: '/store/auth/login',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
      const ok = await preflight('https://shop.example');
      expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(ok.headers['access-control-allow-credentials']).toBe('true');
      expect(
        (await preflight('https://evil.example')).headers['access-control-allow-origin'],
      ).toBeUndefined();
    } finally {
      await allowed.close();
    }
  });
});
