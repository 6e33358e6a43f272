// Does password hashing block the event loop? 50 concurrent argon2id verifications (the login
// path's cost) with the async binding, against the same work done synchronously, measuring the
// event-loop delay with a 10 ms timer in both runs.
//   npx tsx bench/password-hashing.ts [--rounds 4]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { verifySync } from '@node-rs/argon2';
import { hashPassword, verifyPassword } from '../src/modules/identity/passwords.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '4' } } });
const rounds = Number(values.rounds);
const CONCURRENCY = 50;
const stored = await hashPassword('load test passphrase 2026');

async function measure(label: string, run: () => Promise<unknown>) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  delay.enable();
  const start = performance.now();
  for (let r = 0; r < rounds; r++) await run();
  const seconds = (performance.now() - start) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 20)); // lets a blocked loop record its stall
  delay.disable();
  clearInterval(timer);
  const verifications = rounds * CONCURRENCY;
  console.log(
    `${label.padEnd(34)} ${(verifications / seconds).toFixed(1).padStart(6)} verifications/s` +
      `  event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms max ${(delay.max / 1e6).toFixed(1)} ms` +
      `  10 ms timer fired ${ticks} of ~${Math.round((seconds * 1000) / 10)}`,
  );
}

await measure('async (@node-rs/argon2 verify)', () =>
  Promise.all(Array.from({ length: CONCURRENCY }, () => verifyPassword(stored, 'load test passphrase 2026'))),
);
await measure('sync (verifySync, for contrast)', async () => {
  for (let i = 0; i < CONCURRENCY; i++) verifySync(stored, 'load test passphrase 2026');
});
