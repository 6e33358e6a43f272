import { now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import { assertPassword } from './customers.service.js';
import type { IdentityDeps } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { revokeAllSessions } from './sessions.service.js';
import { getStaffRow } from './staff.service.js';

/**
 * A signed-in staff member changes their own password: the current one must match, the new one passes
 * the same rules as at sign-up, and every other session ends (a stolen session must not outlive it).
 */
export async function changeStaffPassword(
  deps: IdentityDeps,
  input: { staff_id: string; session_id: string | undefined; current_password: string; new_password: string },
  actor: AuditActor,
): Promise<void> {
  const row = await getStaffRow(deps.db, input.staff_id);
  if (!row.password_hash || !(await verifyPassword(row.password_hash, input.current_password)))
    throw new AppError(IdentityErrors.INVALID_CREDENTIALS, 'The current password is not correct');
  assertPassword(input.new_password, await deps.crypto.decrypt(row.email_enc));
  const hash = await hashPassword(input.new_password);
  await inTransaction(deps.db, async (trx) => {
    await trx
      .updateTable('staff_users')
      .set({ password_hash: hash, updated_at: now() })
      .where('id', '=', row.id)
      .execute();
    await revokeAllSessions(trx, 'staff', row.id, input.session_id);
    await recordAudit(trx, actor, {
      action: 'staff.password_changed',
      target_type: 'staff',
      target_id: row.id,
    });
    await emit(trx, { topic: 'staff.updated', payload: { id: row.id } });
  });
}
