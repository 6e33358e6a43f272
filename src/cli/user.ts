import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { createStaff, identityDeps } from '../modules/identity/index.js';
import { createRuntime } from '../platform/runtime.js';
import { UsageError } from './migrate.js';

const USAGE = 'usage: stratus user create --email <email> --role <role> [--name <name>] [--password-stdin]';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** A random passphrase-strength password (128 bits), for bootstrap accounts. */
export function generatedPassword(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * `stratus user create --email … --role owner`: bootstraps staff from the command line (the first
 * owner, typically). The password comes from stdin with `--password-stdin`, or is generated and
 * printed once; it never appears in argv or the log.
 */
export async function user(config: Config, args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const email = option(rest, '--email');
  const role = option(rest, '--role');
  if (action !== 'create' || !email || !role) throw new UsageError(USAGE);
  const fromStdin = rest.includes('--password-stdin');
  const password = fromStdin ? await readStdin() : generatedPassword();
  const runtime = await createRuntime(config, { worker: false });
  try {
    const staff = await createStaff(await identityDeps(runtime.ctx), {
      email,
      password,
      role,
      name: option(rest, '--name') ?? null,
    });
    console.log(`Created ${staff.role} ${staff.email} (${staff.id}).`);
    if (!fromStdin) console.log(`Password (shown once, change it after signing in): ${password}`);
  } finally {
    await runtime.close();
  }
}
