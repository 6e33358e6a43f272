import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredPermissions } from '../../src/platform/http/auth.js';
import { customerCredentials, staffCredentials } from '../helpers/identity.js';
import { startSmtpServer, tokenFrom } from '../helpers/smtp.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
const isReset = (mail: { raw: string }) => decoded(mail.raw).includes('/account/reset-password?token=');

describe('staff "forgot password"', () => {
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

  const request = (email: string) =>
    t.app.inject({ method: 'POST', url: '/admin/auth/password-reset', payload: { email } });
  const confirm = (token: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/auth/password-reset/confirm',
      payload: { token, password },
    });
  const login = (email: string, password: string) =>
    t.app.inject({
      method: 'POST',
      url: '/admin/auth/login',
      payload: { email, password, transport: 'bearer' },
    });

  it('mails a single-use link, sets the new password with it and ends every session', async () => {
    const staff = await staffCredentials(t, 'order_manager');
    const asked = await request(staff.email.toUpperCase());
    expect(asked.statusCode).toBe(202);
    const [mail] = await smtp.waitFor(staff.email);
    expect(decoded(mail!.raw)).toContain('/admin/reset-password?token=');
    const token = tokenFrom(mail!);

    expect((await confirm(token, 'short')).statusCode).toBe(400); // NIST length rule, token kept
    const done = await confirm(token, 'a brand new staff passphrase');
    expect(done.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/admin/me', headers: staff.headers })).statusCode).toBe(401);
    expect((await login(staff.email, staff.password)).statusCode).toBe(401);
    expect((await login(staff.email, 'a brand new staff passphrase')).statusCode).toBe(200);

    const again = await confirm(token, 'yet another staff passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('TOKEN_INVALID');
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', staff.id)
      .where('action', 'like', 'staff.password_reset%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['staff.password_reset_requested', 'staff.password_reset']);
  });

  it('answers the same for unknown and disabled accounts and mails nothing', async () => {
    const disabled = await staffCredentials(t, 'analyst');
    await t.ctx.db
      .updateTable('staff_users')
      .set({ status: 'disabled' })
      .where('id', '=', disabled.id)
      .execute();
    const known = await staffCredentials(t, 'analyst');
    const answers = await Promise.all(
      [known.email, 'nobody-at-all@example.test', disabled.email].map(async (email) => {
        const res = await request(email);
        return [res.statusCode, res.body];
      }),
    );
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    await smtp.waitFor(known.email);
    expect(smtp.mails.some((m) => m.to.includes('nobody-at-all@example.test'))).toBe(false);
    expect(smtp.mails.some((m) => m.to.includes(disabled.email))).toBe(false);
  });

  it('refuses expired tokens, forged ones and a customer’s reset token', async () => {
    const staff = await staffCredentials(t, 'support');
    await request(staff.email);
    const token = tokenFrom((await smtp.waitFor(staff.email))[0]!);
    await t.ctx.db
      .updateTable('one_time_tokens')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('id', '=', token.split('.')[0]!)
      .execute();
    expect((await confirm(token, 'a brand new staff passphrase')).json().error.code).toBe('TOKEN_INVALID');
    expect((await confirm(`${token.split('.')[0]}.forged`, 'a brand new staff passphrase')).statusCode).toBe(
      400,
    );

    const customer = await customerCredentials(t);
    await t.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset',
      payload: { email: customer.email },
    });
    // The customer also got a verification mail at registration: take the reset one.
    const sent = smtp.mails.filter((m) => m.to.includes(customer.email));
    const resetMail = (await smtp.waitFor(customer.email, sent.length + (sent.some(isReset) ? 0 : 1))).find(
      isReset,
    );
    const customerToken = tokenFrom(resetMail!);
    expect((await confirm(customerToken, 'a brand new staff passphrase')).json().error.code).toBe(
      'TOKEN_INVALID',
    );
    // ...which still works where it belongs.
    const own = await t.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset/confirm',
      payload: { token: customerToken, password: 'a brand new customer passphrase' },
    });
    expect(own.statusCode, own.body).toBe(200);
  });

  it('declares both routes public in the permission scheme', () => {
    const declared = declaredPermissions(t.app);
    expect(declared.get('POST /admin/auth/password-reset')).toBe('public');
    expect(declared.get('POST /admin/auth/password-reset/confirm')).toBe('public');
  });
});
