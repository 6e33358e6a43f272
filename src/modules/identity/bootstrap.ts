import { randomBytes } from 'node:crypto';
import type { AppContext } from '../../platform/http/context.js';
import { identityDeps } from './deps.js';
import { createStaff } from './staff.service.js';

export const DEMO_OWNER_EMAIL = 'demo-owner@example.com';

/**
 * What `stratus start` prints about signing in. With no staff yet on the embedded default (SQLite,
 * not production) it creates a demo owner with a random password and prints it this once: a laptop
 * install is usable at once, and no fixed default password ever exists. Anywhere else it prints how
 * to create the first owner. Returns the lines, for tests.
 */
export async function announceSignIn(
  ctx: AppContext,
  baseUrl: string,
  print: (line: string) => void = console.log,
): Promise<string[]> {
  const lines: string[] = [];
  const out = (line: string) => {
    lines.push(line);
    print(line);
  };
  const deps = await identityDeps(ctx);
  const any = await ctx.db.selectFrom('staff_users').select('id').limit(1).executeTakeFirst();
  if (any) {
    out(`Admin API: ${baseUrl}/admin/auth/login (API docs at ${baseUrl}/docs)`);
    return lines;
  }
  const embedded = ctx.config.database.kind === 'sqlite' && ctx.config.env !== 'production';
  if (!embedded) {
    out('No staff account exists yet. Create the first owner with:');
    out('  stratus user create --email you@example.com --role owner');
    return lines;
  }
  const password = randomBytes(12).toString('base64url');
  await createStaff(deps, { email: DEMO_OWNER_EMAIL, password, role: 'owner', name: 'Demo owner' });
  out('A demo owner was created for this embedded install. Its password is shown only now:');
  out(`  email:    ${DEMO_OWNER_EMAIL}`);
  out(`  password: ${password}`);
  out(
    `Sign in at ${baseUrl}/admin (the admin app; API: POST ${baseUrl}/admin/auth/login, docs at ${baseUrl}/docs)`,
  );
  out('Change the password or invite real staff, then disable the demo owner.');
  return lines;
}
