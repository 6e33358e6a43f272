import { describe, expect, it } from 'vitest';
import { redact } from '../audit/audit.service.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { progressiveDelayMs } from './throttle.js';

describe('password rules (NIST 800-63B)', () => {
  it('accepts long passphrases without composition rules and refuses short, common or contextual ones', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull();
    expect(passwordProblem('alllowercaselong')).toBeNull();
    expect(passwordProblem('1234567')).toMatch(/at least 8/);
    expect(passwordProblem('Password1')).toMatch(/too common/);
    expect(passwordProblem('aaaaaaaaaa')).toMatch(/repeated/);
    expect(passwordProblem('grace.hopper1906', { email: 'grace.hopper@navy.example' })).toMatch(/email/);
    expect(passwordProblem('my stratus shop')).toMatch(/service/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most/);
  });

  it('hashes with argon2id and verifies', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'Correct horse battery staple')).toBe(false);
    expect(await verifyPassword('not a hash', 'x')).toBe(false);
  });

  it('delays from the third failure, doubling, capped', () => {
    expect([1, 2, 3, 4, 5, 9].map(progressiveDelayMs)).toEqual([0, 0, 250, 500, 1000, 2000]);
  });

  it('redacts personal data in audit diffs but keeps ids, codes and amounts', () => {
    expect(
      redact({
        id: 'cus_1',
        email: 'a@b.c',
        phone: '1',
        address_1: 'x',
        email_enc: 'enc',
        country_code: 'gb',
        total: 1200,
        nested: { last_name: 'L' },
      }),
    ).toEqual({
      id: 'cus_1',
      email: '[redacted]',
      phone: '[redacted]',
      address_1: '[redacted]',
      email_enc: '[redacted]',
      country_code: 'gb',
      total: 1200,
      nested: { last_name: '[redacted]' },
    });
  });
});
