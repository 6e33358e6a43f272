import { normaliseEmail } from '../../platform/crypto/field-crypto.js';
import { AppError } from '../../platform/http/errors.js';
import { recordAuditNow } from '../audit/index.js';
import type { IdentityDeps, RequestMeta } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import { burnVerify, verifyPassword } from './passwords.js';
import { createThrottle } from './throttle.js';

export function emailIndex(deps: IdentityDeps, email: string): string {
  return deps.crypto.blindIndex('email', normaliseEmail(email));
}

/**
 * The throttle key wrong MFA codes count under (per staff account name). Kept apart from the
 * password key because a right password clears that one: with the password alone, an attacker could
 * otherwise reset the count between rounds of code guesses. Step one checks it too, so a lock
 * reached at step two holds at step one.
 */
export function mfaThrottleKey(index: string): string {
  return `staff_mfa:${index}`;
}

/**
 * Password check shared by customers and staff, with throttling and no account enumeration: an
 * unknown email costs one argon2 verification like a known one, counts failures under the same key,
 * gets locked the same way and receives the same answer.
 */
export async function checkPassword<T extends { id: string; password_hash: string | null }>(
  deps: IdentityDeps,
  kind: 'staff' | 'customer',
  email: string,
  password: string,
  meta: RequestMeta,
  find: (index: string) => Promise<T | undefined>,
): Promise<T> {
  const throttle = createThrottle(deps.db, deps.config.auth);
  const index = emailIndex(deps, email);
  const accountKey = `${kind}:${index}`;
  const ipKey = `ip:${meta.ip}`;
  const max = deps.config.auth.maxFailures;
  const locked = await throttle.lockedFor([
    accountKey,
    ipKey,
    ...(kind === 'staff' ? [mfaThrottleKey(index)] : []),
  ]);
  if (locked > 0) {
    await burnVerify(password);
    throw new AppError(IdentityErrors.LOGIN_LOCKED, 'Too many failed attempts; try again later', {
      retry_after_seconds: locked,
    });
  }
  const row = await find(index);
  let ok = false;
  if (row?.password_hash) ok = await verifyPassword(row.password_hash, password);
  else await burnVerify(password);
  if (!row || !ok) {
    await recordAuditNow(
      deps.db,
      { kind: 'anonymous', id: null, ip: meta.ip, user_agent: meta.user_agent, request_id: meta.request_id },
      { action: `${kind}.login_failed`, target_type: kind, target_id: row?.id ?? null, outcome: 'failure' },
    );
    await throttle.fail([
      { key: accountKey, max },
      { key: ipKey, max: max * 5 },
    ]);
    throw new AppError(IdentityErrors.INVALID_CREDENTIALS, 'Invalid email or password');
  }
  await throttle.succeed(accountKey);
  return row;
}
