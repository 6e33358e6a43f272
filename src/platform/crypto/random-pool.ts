import { randomFillSync } from 'node:crypto';

// CSPRNG bytes fetched 4 KiB at a time and handed out in small draws: ids and trace ids are made on
// every write and every request, and one synchronous crypto call per draw showed in profiles.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function take(bytes: number): number {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += bytes;
  return offset - bytes;
}

/** A random number in [0, 1) with 8 bits of entropy (one pooled byte). */
export function randomByteFraction(): number {
  return pool[take(1)]! / 256;
}

/** `bytes` random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  const start = take(bytes);
  return pool.toString('hex', start, start + bytes);
}
