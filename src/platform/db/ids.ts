import { monotonicFactory } from 'ulid';
import { randomByteFraction } from '../crypto/random-pool.js';

// ulid's default PRNG asks the OS CSPRNG for ONE byte per character (16 synchronous crypto calls per
// id); ids are minted on every write, so the same CSPRNG bytes come from a pool instead.
const next = monotonicFactory(randomByteFraction);

/**
 * Prefixed, time-sortable ids generated in the app: `ord_01JD3...`. The ULID part sorts by creation
 * time (millisecond precision, monotonic within a process), so keyset pagination by id is by age.
 */
export function newId(prefix: string): string {
  return `${prefix}_${next()}`;
}
