// Does a sign-in reveal whether an account exists through its timing? Alternates wrong-password
// logins for a known account and for unknown emails (fresh names, so lockout never kicks in) and
// compares the latency distributions through the real HTTP stack.
//   npx tsx bench/login-timing.ts [--rounds 30]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { identityDeps, registerCustomer } from '../src/modules/identity/index.js';
import { buildApp } from '../src/platform/http/app.js';
import { createRuntime } from '../src/platform/runtime.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '30' } } });
const rounds = Number(values.rounds);
const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-timing-'));
const config = loadConfig({
  ...process.env,
  LOG_LEVEL: 'silent',
  STRATUS_DATA_DIR: dataDir,
  STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
});
const runtime = await createRuntime(config, { worker: false });
const app = await buildApp(runtime.ctx);
const meta = { ip: '127.0.0.1', user_agent: 'bench', request_id: 'bench', secure: false };
await registerCustomer(
  await identityDeps(runtime.ctx),
  { email: 'known@example.com', password: 'the right passphrase' },
  meta,
);

async function attempt(email: string, i: number): Promise<number> {
  const start = performance.now();
  // A fresh client address per attempt keeps the per-IP and per-name lockouts out of the picture.
  const res = await app.inject({
    method: 'POST',
    url: '/store/auth/login',
    payload: { email, password: `wrong ${i}` },
    remoteAddress: `10.9.${i % 250}.${Math.floor(i / 250)}`,
  });
  if (res.statusCode !== 401) throw new Error(`unexpected ${res.statusCode}`);
  return performance.now() - start;
}

const known: number[] = [];
const unknown: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Known account: reset its counter so no progressive delay or lock applies (we measure the lookup).
  await runtime.ctx.db.deleteFrom('login_throttle').execute();
  // Alternate the order so neither side always runs right after the reset write.
  if (i % 2 === 0) {
    known.push(await attempt('known@example.com', 2 * i));
    unknown.push(await attempt(`nobody-${i}@example.com`, 2 * i + 1));
  } else {
    unknown.push(await attempt(`nobody-${i}@example.com`, 2 * i + 1));
    known.push(await attempt('known@example.com', 2 * i));
  }
}
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms  mean ${mean.toFixed(1)} ms  p90 ${s[Math.floor(s.length * 0.9)]!.toFixed(1)} ms`;
};
console.log(`known account, wrong password  ${stats(known)}`);
console.log(`unknown account               ${stats(unknown)}`);
await app.close();
await runtime.close();
rmSync(dataDir, { recursive: true, force: true });
