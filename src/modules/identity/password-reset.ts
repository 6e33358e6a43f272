import { normaliseEmail } from '../../platform/crypto/field-crypto.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';
import { actorOf, assertPassword } from './customers.service.js';
import type { IdentityDeps, RequestMeta } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import { emailIndex } from './login.js';
import { hashPassword } from './passwords.js';
import { revokeAllSessions } from './sessions.service.js';
import { consumeToken, issueToken, type TokenPurpose } from './tokens.js';

type Kind = 'customer' | 'staff';

/** Where each kind of account lives, and its own token purpose (a customer's token never resets staff). */
const ACCOUNTS = {
  customer: { table: 'customers', purpose: 'reset_password', page: '/account/reset-password' },
  staff: { table: 'staff_users', purpose: 'staff_reset_password', page: '/admin/reset-password' },
} as const satisfies Record<Kind, { table: string; purpose: TokenPurpose; page: string }>;

const TTL_MS = 3_600_000;

async function activeAccount(trx: Trx, kind: Kind, index: string) {
  return trx
    .selectFrom(ACCOUNTS[kind].table)
    .select(['id', 'status'])
    .where('email_index', '=', index)
    .where('status', '=', 'active')
    .executeTakeFirst();
}

/**
 * "Forgot password" for customers and staff: a signed, single-use token valid one hour, mailed to the
 * address if an active account has it. The caller answers the same whether or not one does.
 */
export async function requestPasswordReset(
  deps: IdentityDeps,
  kind: Kind,
  email: string,
  meta: RequestMeta,
): Promise<void> {
  const account = ACCOUNTS[kind];
  const token = await inTransaction(deps.db, async (trx) => {
    const row = await activeAccount(trx, kind, emailIndex(deps, email));
    if (!row) return null;
    await recordAudit(trx, actorOf('anonymous', null, meta), {
      action: `${kind}.password_reset_requested`,
      target_type: kind,
      target_id: row.id,
    });
    return issueToken(trx, deps.secrets.sessionSecret, account.purpose, row.id, TTL_MS);
  });
  if (token)
    await deps.mailer.send({
      to: normaliseEmail(email),
      subject: 'Reset your password',
      text: `Choose a new password: ${deps.config.publicUrl}${account.page}?token=${token}\n\nThe link works once and expires in one hour. If you did not ask for it, ignore this email.`,
    });
}

/** Sets the new password with the mailed token and ends every session of the account. */
export async function resetPassword(
  deps: IdentityDeps,
  kind: Kind,
  token: string,
  password: string,
  meta: RequestMeta,
): Promise<void> {
  const passwordHash = await hashPassword(password);
  await inTransaction(deps.db, async (trx) => {
    const id = await consumeToken(trx, deps.secrets.sessionSecret, ACCOUNTS[kind].purpose, token);
    if (!id) throw new AppError(IdentityErrors.TOKEN_INVALID, 'The link is invalid, expired or already used');
    const row = await trx
      .selectFrom(ACCOUNTS[kind].table)
      .select(['email_enc', 'status'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    // Disabled (or erased) since the mail was sent: the token no longer opens anything.
    if (row.status !== 'active')
      throw new AppError(IdentityErrors.TOKEN_INVALID, 'The link is invalid, expired or already used');
    assertPassword(password, await deps.crypto.decrypt(row.email_enc));
    await trx
      .updateTable(ACCOUNTS[kind].table)
      .set({ password_hash: passwordHash, updated_at: now() })
      .where('id', '=', id)
      .execute();
    // A reset means the old password may be known to someone else: every session ends.
    await revokeAllSessions(trx, kind, id);
    await recordAudit(trx, actorOf(kind, id, meta), {
      action: `${kind}.password_reset`,
      target_type: kind,
      target_id: id,
    });
    await emit(trx, { topic: `${kind}.password_changed`, payload: { id } });
  });
}
