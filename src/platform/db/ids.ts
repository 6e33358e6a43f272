import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid's default PRNG asks the OS CSPRNG for ONE byte per character (16 synchronous crypto calls per
// id); ids are minted on every write (carts, lines, ledger rows, events), so that showed in checkout
// profiles. The same CSPRNG bytes, fetched 4 KiB at a time, are handed out one per character instead.
const pool = Buffer.alloc(4096);
let offset = pool.length;
function pooledRandom(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++]! / 256;
}

const next = monotonicFactory(pooledRandom);

/**
 * Prefixed, time-sortable ids generated in the app: `ord_01JD3...`. The ULID part sorts by creation
 * time (millisecond precision, monotonic within a process), so keyset pagination by id is by age.
 */
export function newId(prefix: string): string {
  return `${prefix}_${next()}`;
}
