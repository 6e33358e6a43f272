import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './password-denylist.js';

// OWASP's argon2id baseline (19 MiB, 2 passes). @node-rs/argon2 hashes on the libuv thread pool, so
// hashing never blocks the event loop; see docs/security.md for the measured login throughput.
const OPTIONS = {
  algorithm: 2 /* Algorithm.Argon2id (a const enum) */,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Verifies against a throwaway hash, so an unknown account costs the same time as a known one. */
export async function burnVerify(password: string): Promise<void> {
  dummy ??= hashPassword('stratus-timing-equaliser');
  await verifyPassword(await dummy, password);
}

/**
 * NIST SP 800-63B: at least 8 characters, no composition rules, refuse known-breached and
 * context-specific passwords. Returns the reason, or null when the password is acceptable.
 */
export function passwordProblem(password: string, context: { email?: string } = {}): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'is too common; choose another';
  if (/^(.)\1+$/.test(password)) return 'is a single repeated character';
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return 'must not contain your email address';
  if (lower.includes('stratus')) return 'must not contain the name of this service';
  return null;
}
