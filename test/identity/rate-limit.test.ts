import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, testRedisUrl } from '../helpers/test-context.js';

describe('rate limits', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    while (apps.length) await apps.pop()!.close();
  });

  const attempt = (t: TestApp, ip: string) =>
    t.app.inject({
      method: 'POST',
      url: '/store/auth/password-reset',
      payload: { email: 'someone@example.test' },
      remoteAddress: ip,
    });

  it('limits sign-in routes per client IP, with Retry-After, and other IPs are unaffected', async () => {
    const t = await createTestApp({ env: { STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
    apps.push(t);
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await attempt(t, '10.5.5.5')).statusCode);
    expect(codes).toEqual([202, 202, 202, 429]);
    const limited = await attempt(t, '10.5.5.5');
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await attempt(t, '10.6.6.6')).statusCode).toBe(202);
  });

  it('limits each signed-in account across the API', async () => {
    const t = await createTestApp({ env: { STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE: '5' } });
    apps.push(t);
    const { customerHeaders } = await import('../helpers/identity.js');
    const headers = await customerHeaders(t);
    const codes = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await t.app.inject({ url: '/store/customers/me', headers, remoteAddress: `10.7.0.${i}` }))
          .statusCode,
      );
    expect(codes).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it.skipIf(!testRedisUrl)('shares counters across nodes through Redis when REDIS_URL is set', async () => {
    const env = { REDIS_URL: testRedisUrl!, STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: '4' };
    const a = await createTestApp({ env });
    apps.push(a);
    // Two nodes of one deployment: same database, same Redis.
    const b = await createTestApp({ env, shareDatabaseWith: a });
    apps.push(b);
    const ip = `10.8.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const codes = [];
    for (const t of [a, b, a, b, a]) codes.push((await attempt(t, ip)).statusCode);
    expect(codes).toEqual([202, 202, 202, 202, 429]);
  });
});
