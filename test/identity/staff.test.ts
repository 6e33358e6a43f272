import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setSecuritySetting, staffCredentials } from '../helpers/identity.js';
import { startSmtpServer, tokenFrom } from '../helpers/smtp.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const code = (secret: string, offsetSeconds = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

/** Enrols the staff member behind `headers` in TOTP; returns the secret. */
async function enrolMfa(t: TestApp, headers: Record<string, string>): Promise<string> {
  const { secret } = (await t.app.inject({ method: 'POST', url: '/admin/me/mfa', headers })).json();
  const confirm = await t.app.inject({
    method: 'POST',
    url: '/admin/me/mfa/confirm',
    headers,
    payload: { code: await code(secret) },
  });
  expect(confirm.statusCode, confirm.body).toBe(200);
  return secret;
}

describe('staff: invitations, MFA, roles', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await createTestApp({ env: { STRATUS_SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const login = (email: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email, password, transport: 'bearer' },
    });

  it('enrols in TOTP, signs in with a code and with a recovery code, and refuses reused ones', async () => {
    const staff = await staffCredentials(t, 'admin');
    const start = await t.app.inject({ method: 'POST', url: '/admin/me/mfa', headers: staff.headers });
    expect(start.statusCode).toBe(200);
    const { secret, otpauth_url, qr_data_url } = start.json();
    expect(otpauth_url).toMatch(/^otpauth:\/\/totp\/Stratus:.+secret=/);
    expect(qr_data_url).toMatch(/^data:image\/png;base64,/);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/admin/me/mfa/confirm',
      headers: staff.headers,
      payload: { code: '000000' },
    });
    expect(wrong.statusCode).toBe(401);
    const confirm = await t.app.inject({
      method: 'POST',
      url: '/admin/me/mfa/confirm',
      headers: staff.headers,
      payload: { code: await code(secret) },
    });
    expect(confirm.statusCode).toBe(200);
    const recovery: string[] = confirm.json().recovery_codes;
    expect(recovery).toHaveLength(10);

    // Step one answers an MFA challenge, not a session.
    const step1 = await login(staff.email, staff.password);
    expect(step1.json()).toEqual({ mfa_required: true, mfa_token: expect.any(String) });
    const mfa = (body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/admin/auth/mfa', payload: { transport: 'bearer', ...body } });
    const next = await code(secret, 30);
    const ok = await mfa({ mfa_token: step1.json().mfa_token, code: next });
    expect(ok.statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/admin/me', headers: { authorization: `Bearer ${ok.json().token}` } }))
        .statusCode,
    ).toBe(200);
    // The same code again (a replay) is refused, and so is the spent step-one token.
    const again = await login(staff.email, staff.password);
    const replay = await mfa({ mfa_token: again.json().mfa_token, code: next });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('MFA_CODE_INVALID');
    expect(
      (await mfa({ mfa_token: step1.json().mfa_token, code: await code(secret, 30) })).json().error.code,
    ).toBe('TOKEN_INVALID');

    const withRecovery = await mfa({
      mfa_token: again.json().mfa_token,
      recovery_code: recovery[0]!.toUpperCase(),
    });
    expect(withRecovery.statusCode).toBe(200);
    const third = await login(staff.email, staff.password);
    const reused = await mfa({ mfa_token: third.json().mfa_token, recovery_code: recovery[0] });
    expect(reused.json().error.code).toBe('MFA_CODE_INVALID');
    expect((await mfa({ mfa_token: third.json().mfa_token, recovery_code: recovery[1] })).statusCode).toBe(
      200,
    );

    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor_id', '=', staff.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['staff.mfa_enabled', 'staff.login', 'staff.mfa_failed']),
    );
  });

  it('with MFA required for all staff, an unenrolled member can only enrol', async () => {
    const staff = await staffCredentials(t, 'catalog_manager');
    await setSecuritySetting(t, 'require_staff_mfa', true);
    try {
      await new Promise((r) => setTimeout(r, 2100)); // the settings cache lives 2 s
      const me = await t.app.inject({ url: '/admin/me', headers: staff.headers });
      expect(me.json()).toMatchObject({ mfa_enrollment_required: true, permissions: [] });
      expect((await t.app.inject({ url: '/admin/customers', headers: staff.headers })).statusCode).toBe(403);
      const fresh = await login(staff.email, staff.password);
      expect(fresh.json().mfa_enrollment_required).toBe(true);
      await enrolMfa(t, staff.headers);
      const after = await t.app.inject({ url: '/admin/me', headers: staff.headers });
      expect(after.json().mfa_enrollment_required).toBe(false);
      expect(after.json().permissions).toContain('catalog:write');
    } finally {
      await setSecuritySetting(t, 'require_staff_mfa', false);
      await new Promise((r) => setTimeout(r, 2100));
    }
  });

  it('invites by email with a single-use token, and no one grants more than they hold', async () => {
    const admin = await staffCredentials(t, 'admin');
    const escalate = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: admin.headers,
      payload: { email: 'new-owner@example.test', role: 'owner' },
    });
    expect(escalate.statusCode).toBe(403);
    expect(escalate.json().error.code).toBe('PRIVILEGE_ESCALATION');
    const invite = await t.app.inject({
      method: 'POST',
      url: '/admin/invitations',
      headers: admin.headers,
      payload: { email: 'Support.Person@example.test', role: 'support' },
    });
    expect(invite.statusCode).toBe(201);
    const [mail] = await smtp.waitFor('support.person@example.test');
    const token = tokenFrom(mail!);
    const accept = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/auth/invitations/accept',
        payload: { token, password, name: 'Sam' },
      });
    expect((await accept('password')).json().error.code).toBe('WEAK_PASSWORD');
    const accepted = await accept('a long support passphrase');
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toMatchObject({
      email: 'support.person@example.test',
      role: 'support',
      name: 'Sam',
    });
    expect((await accept('a long support passphrase')).json().error.code).toBe('TOKEN_INVALID');
    const signIn = await login('support.person@example.test', 'a long support passphrase');
    expect(signIn.statusCode).toBe(200);

    const role = await t.app.inject({
      method: 'POST',
      url: '/admin/roles',
      headers: admin.headers,
      payload: { name: 'stock_clerk', permissions: ['inventory:read', 'inventory:write'] },
    });
    expect(role.statusCode).toBe(201);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/roles',
      headers: admin.headers,
      payload: { name: 'typo', permissions: ['inventory:delete'] },
    });
    expect(bad.json().error.code).toBe('UNKNOWN_PERMISSION');
    const systemRole = await t.app.inject({
      method: 'POST',
      url: '/admin/roles',
      headers: admin.headers,
      payload: { name: 'ops', permissions: ['system:write'] },
    });
    expect(systemRole.json().error.code).toBe('PRIVILEGE_ESCALATION');
    const builtin = await t.app.inject({
      method: 'PATCH',
      url: '/admin/roles/role_support',
      headers: admin.headers,
      payload: { permissions: ['customers:read'] },
    });
    expect(builtin.json().error.code).toBe('ROLE_READ_ONLY');
    const clerk = await staffCredentials(t, 'stock_clerk');
    expect((await t.app.inject({ url: '/admin/me', headers: clerk.headers })).json().permissions).toEqual([
      'inventory:read',
      'inventory:write',
    ]);
  });

  it('keeps the last owner, and an admin cannot disable an owner', async () => {
    const owner = await staffCredentials(t, 'owner');
    const admin = await staffCredentials(t, 'admin');
    const byAdmin = await t.app.inject({
      method: 'PATCH',
      url: `/admin/staff/${owner.id}`,
      headers: admin.headers,
      payload: { status: 'disabled' },
    });
    expect(byAdmin.json().error.code).toBe('PRIVILEGE_ESCALATION');
    const owners = await t.ctx.db
      .selectFrom('staff_users')
      .select('id')
      .where('role_id', '=', 'role_owner')
      .execute();
    for (const other of owners.filter((o) => o.id !== owner.id)) {
      await t.ctx.db
        .updateTable('staff_users')
        .set({ status: 'disabled' })
        .where('id', '=', other.id)
        .execute();
    }
    const self = await t.app.inject({
      method: 'PATCH',
      url: `/admin/staff/${owner.id}`,
      headers: owner.headers,
      payload: { role: 'admin' },
    });
    expect(self.json().error.code).toBe('LAST_OWNER');
    const disable = await t.app.inject({
      method: 'PATCH',
      url: `/admin/staff/${admin.id}`,
      headers: owner.headers,
      payload: { status: 'disabled' },
    });
    expect(disable.json().status).toBe('disabled');
    // Disabling ends the member's sessions at once.
    expect((await t.app.inject({ url: '/admin/me', headers: admin.headers })).statusCode).toBe(401);
  });

  it('signs staff in with a Strict cookie scoped to /admin, CSRF on unsafe calls, and signs out', async () => {
    const staff = await staffCredentials(t, 'admin');
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email: staff.email, password: staff.password },
    });
    const cookie = res.cookies.find((c) => c.name === 'stratus_admin_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    const cookies = { stratus_admin_session: cookie.value };
    expect((await t.app.inject({ url: '/admin/me', cookies })).statusCode).toBe(200);
    const group = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/customer-groups',
        cookies,
        headers,
        payload: { name: `g${Date.now()}` },
      });
    expect((await group({})).json().error.code).toBe('CSRF_FAILED');
    expect((await group({ 'x-csrf-token': 'forged' })).json().error.code).toBe('CSRF_FAILED');
    expect((await group({ 'x-csrf-token': res.json().csrf_token })).statusCode).toBe(201);
    const out = await t.app.inject({
      method: 'POST',
      url: '/admin/auth/logout',
      cookies,
      headers: { 'x-csrf-token': res.json().csrf_token },
    });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/admin/me', cookies })).statusCode).toBe(401);
  });

  it('lists and revokes own sessions; never another member’s; an owner signs a member out everywhere', async () => {
    const a = await staffCredentials(t, 'admin');
    const b = await staffCredentials(t, 'admin');
    const owner = await staffCredentials(t, 'owner');
    const signIn = async (who: { email: string; password: string }) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/admin/auth/login',
        payload: { email: who.email, password: who.password, transport: 'bearer' },
      });
      expect(res.statusCode, res.body).toBe(200);
      return { authorization: `Bearer ${res.json().token}` };
    };
    const aOther = await signIn(a);
    const bOther = await signIn(b);
    const list = async (headers: Record<string, string>) => {
      const res = await t.app.inject({ url: '/admin/me/sessions', headers });
      expect(res.statusCode).toBe(200);
      return res.json().data as { id: string; current: boolean }[];
    };
    const aSessions = await list(a.headers);
    const bSessions = await list(b.headers);
    expect(aSessions).toHaveLength(2);
    expect(aSessions.filter((s) => s.current)).toHaveLength(1);
    const aIds = aSessions.map((s) => s.id);
    expect(bSessions.some((s) => aIds.includes(s.id))).toBe(false);
    const me = async (headers: Record<string, string>) =>
      (await t.app.inject({ url: '/admin/me', headers })).statusCode;

    // A cannot revoke B's session through their own route: 404, and B stays signed in.
    for (const session of bSessions) {
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/admin/me/sessions/${session.id}`,
        headers: a.headers,
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    }
    expect(await me(b.headers)).toBe(200);
    expect(await me(bOther)).toBe(200);
    expect(await list(b.headers)).toHaveLength(2);

    // A revokes their other session: that token stops working, the current one keeps working.
    const other = aSessions.find((s) => !s.current)!;
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/admin/me/sessions/${other.id}`,
      headers: a.headers,
    });
    expect(revoked.statusCode).toBe(204);
    expect(await me(aOther)).toBe(401);
    expect(await me(a.headers)).toBe(200);
    expect((await list(a.headers)).map((s) => s.id)).toEqual([aSessions.find((s) => s.current)!.id]);

    // An owner sees B's sessions and signs B out everywhere.
    const seen = await t.app.inject({ url: `/admin/staff/${b.id}/sessions`, headers: owner.headers });
    expect(
      seen
        .json()
        .data.map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual(bSessions.map((s) => s.id).sort());
    const out = await t.app.inject({
      method: 'DELETE',
      url: `/admin/staff/${b.id}/sessions`,
      headers: owner.headers,
    });
    expect(out.statusCode).toBe(204);
    expect(await me(b.headers)).toBe(401);
    expect(await me(bOther)).toBe(401);
    expect(await me(a.headers)).toBe(200);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_id'])
      .where('action', 'in', ['staff.session_revoked', 'staff.sessions_revoked'])
      .execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'staff.session_revoked', actor_id: a.id, target_id: other.id },
        { action: 'staff.sessions_revoked', actor_id: owner.id, target_id: b.id },
      ]),
    );
  });

  it('a customer token never opens an admin route, and a staff token is no customer', async () => {
    const staff = await staffCredentials(t, 'owner');
    expect((await t.app.inject({ url: '/store/customers/me', headers: staff.headers })).statusCode).toBe(401);
  });
});

describe('staff MFA step: wrong codes are throttled', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The account locks after 8 failures, so the per-token limit (5) shows on its own first.
    t = await createTestApp({ env: { STRATUS_LOGIN_MAX_FAILURES: '8' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('spends the step-one token after 5 wrong codes, and wrong codes lock the account', async () => {
    const staff = await staffCredentials(t, 'admin');
    const secret = await enrolMfa(t, staff.headers);
    const valid = new Set(await Promise.all([-60, -30, 0, 30, 60].map((s) => code(secret, s))));
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555'].find((c) => !valid.has(c))!;
    const login = () =>
      t.app.inject({
        method: 'POST',
        url: '/admin/auth/login',
        payload: { email: staff.email, password: staff.password, transport: 'bearer' },
      });
    const mfa = (mfa_token: string, body: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/auth/mfa',
        payload: { transport: 'bearer', mfa_token, ...body },
      });

    const first = (await login()).json().mfa_token as string;
    for (let i = 0; i < 5; i++) {
      const res = await mfa(first, { code: wrong });
      expect(res.statusCode, res.body).toBe(401);
      expect(res.json().error.code).toBe('MFA_CODE_INVALID');
    }
    // Spent: even the right code no longer opens a session with it.
    const spent = await mfa(first, { code: await code(secret) });
    expect(spent.json().error.code).toBe('TOKEN_INVALID');
    expect(
      await t.ctx.db.selectFrom('sessions').select('id').where('subject_id', '=', staff.id).execute(),
    ).toHaveLength(1);

    // A right password does not reset the count of wrong codes: 3 more lock the account.
    const second = (await login()).json().mfa_token as string;
    for (let i = 0; i < 3; i++) expect((await mfa(second, { code: wrong })).statusCode).toBe(401);
    const locked = await mfa(second, { code: await code(secret) });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('LOGIN_LOCKED');
    // ...and at step one too, with the right password.
    const again = await login();
    expect(again.json().error.code).toBe('LOGIN_LOCKED');
    const failed = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor_id', '=', staff.id)
      .where('action', '=', 'staff.mfa_failed')
      .execute();
    expect(failed).toHaveLength(8);
  });
});
