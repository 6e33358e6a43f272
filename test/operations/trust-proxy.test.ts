import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

// nginx (the proxy in front) connects from PROXY and appends the address it saw to X-Forwarded-For;
// whatever a client wrote into the header itself stays on the left.
const PROXY = '10.1.0.2';
const CLIENT = '203.0.113.9';
const SPOOFS = ['127.0.0.1', '10.0.0.1', '192.168.7.7', '172.16.0.1', '10.9.9.9'];

describe('STRATUS_TRUST_PROXY', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    while (apps.length) await apps.pop()!.close();
  });

  it('reads false, true, a hop count or proxy addresses and CIDR ranges', () => {
    const trust = (value?: string) =>
      loadConfig(value === undefined ? {} : { STRATUS_TRUST_PROXY: value }).http.trustProxy;
    expect(trust()).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('10.0.0.0/8, 127.0.0.1 ,fd00::/8')).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    for (const bad of ['10.0.0.0/33', 'nginx', '10.0.0/8', '11', '10.0.0.0/8/1', '::1/129'])
      expect(() => trust(bad), bad).toThrow(/STRATUS_TRUST_PROXY/);
  });

  for (const [label, value] of [
    ['one hop', '1'],
    ["the proxy's CIDR", '10.1.0.0/16'],
  ] as const) {
    it(`with ${label}, a spoofed X-Forwarded-For moves neither the metrics allow-list nor the rate limits`, async () => {
      const t = await createTestApp({
        env: {
          STRATUS_TRUST_PROXY: value,
          STRATUS_METRICS_ALLOW: '127.0.0.1/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
          STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: '2',
        },
      });
      apps.push(t);
      const through = (url: string, forwardedFor: string, method: 'GET' | 'POST' = 'GET') =>
        t.app.inject({
          method,
          url,
          remoteAddress: PROXY,
          headers: { 'x-forwarded-for': forwardedFor },
          ...(method === 'POST' ? { payload: { email: 'someone@example.test' } } : {}),
        });

      // The address the proxy appended is the client's, and it is not on the allow-list.
      expect((await through('/metrics', CLIENT)).statusCode).toBe(401);
      for (const spoof of SPOOFS)
        expect((await through('/metrics', `${spoof}, ${CLIENT}`)).statusCode, spoof).toBe(401);
      // An operator inside the network, through the same proxy, still gets in.
      expect((await through('/metrics', '10.2.3.4')).statusCode).toBe(200);

      // Rotating the spoofed part does not give the client a fresh rate-limit bucket.
      const codes = [];
      for (const spoof of SPOOFS)
        codes.push((await through('/store/auth/password-reset', `${spoof}, ${CLIENT}`, 'POST')).statusCode);
      expect(codes).toEqual([202, 202, 429, 429, 429]);
      // Another real client has its own bucket.
      expect((await through('/store/auth/password-reset', '198.51.100.4', 'POST')).statusCode).toBe(202);
    });
  }

  it('with true, the left-most entry wins: the reason the deployments no longer ship it', async () => {
    const t = await createTestApp({ env: { STRATUS_TRUST_PROXY: 'true' } });
    apps.push(t);
    const spoofed = await t.app.inject({
      url: '/metrics',
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': `127.0.0.1, ${CLIENT}` },
    });
    expect(spoofed.statusCode).toBe(200);
  });
});
