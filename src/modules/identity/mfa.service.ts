import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import type { IdentityDeps } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import type { StaffUsersTable } from './identity.tables.js';
import { sha256 } from './tokens.js';

const RECOVERY_CODES = 10;

/** `xxxx-xxxx-xxxx`, 60 random bits: hashed with SHA-256 like other high-entropy secrets. */
function recoveryCode(): string {
  const raw = randomBytes(8).toString('hex').slice(0, 12);
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}`;
}

function normaliseRecovery(code: string): string {
  return code
    .trim()
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '');
}

async function getStaff(trx: Trx, id: string): Promise<StaffUsersTable> {
  return trx.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Checks a TOTP code (one step of clock drift either way; a time step already used is refused, so a
 * code cannot be replayed) or consumes a recovery code. Returns the method used, or null.
 */
export async function verifyMfaCode(
  trx: Trx,
  deps: IdentityDeps,
  staff: StaffUsersTable,
  input: { code?: string | undefined; recovery_code?: string | undefined },
): Promise<'totp' | 'recovery_code' | null> {
  if (!staff.mfa_secret_enc) return null;
  if (input.code && /^\d{6}$/.test(input.code)) {
    const secret = await deps.crypto.decrypt(staff.mfa_secret_enc);
    const result = await verify({
      secret,
      token: input.code,
      epochTolerance: 30,
      ...(staff.mfa_last_step !== null ? { afterTimeStep: staff.mfa_last_step } : {}),
    });
    if (!result.valid) return null;
    const step = (result as { timeStep: number }).timeStep;
    const marked = await trx
      .updateTable('staff_users')
      .set({ mfa_last_step: step })
      .where('id', '=', staff.id)
      .where((eb) => eb.or([eb('mfa_last_step', 'is', null), eb('mfa_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(marked.numUpdatedRows) === 1 ? 'totp' : null;
  }
  if (input.recovery_code) {
    const used = await trx
      .updateTable('mfa_recovery_codes')
      .set({ used_at: now() })
      .where('staff_id', '=', staff.id)
      .where('code_hash', '=', sha256(normaliseRecovery(input.recovery_code)))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(used.numUpdatedRows) === 1 ? 'recovery_code' : null;
  }
  return null;
}

export interface Enrolment {
  secret: string;
  otpauth_url: string;
  qr_data_url: string;
}

/** Starts enrolment: a new secret, stored encrypted but not active until a code confirms it. */
export async function startMfaEnrolment(
  deps: IdentityDeps,
  staffId: string,
  actor: AuditActor,
): Promise<Enrolment> {
  return inTransaction(deps.db, async (trx) => {
    const staff = await getStaff(trx, staffId);
    if (staff.mfa_enabled_at) throw new AppError(IdentityErrors.MFA_STATE_CONFLICT, 'MFA is already enabled');
    const secret = generateSecret();
    const email = await deps.crypto.decrypt(staff.email_enc);
    const otpauth = generateURI({ issuer: 'Stratus', label: email, secret });
    await trx
      .updateTable('staff_users')
      .set({ mfa_secret_enc: deps.crypto.encrypt(secret), mfa_last_step: null, updated_at: now() })
      .where('id', '=', staffId)
      .execute();
    await recordAudit(trx, actor, {
      action: 'staff.mfa_enrolment_started',
      target_type: 'staff',
      target_id: staffId,
    });
    return { secret, otpauth_url: otpauth, qr_data_url: await QRCode.toDataURL(otpauth) };
  });
}

async function replaceRecoveryCodes(trx: Trx, staffId: string): Promise<string[]> {
  await trx.deleteFrom('mfa_recovery_codes').where('staff_id', '=', staffId).execute();
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  const at = now();
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      codes.map((code) => ({
        id: newId('rc'),
        staff_id: staffId,
        code_hash: sha256(normaliseRecovery(code)),
        used_at: null,
        created_at: at,
      })),
    )
    .execute();
  return codes;
}

/** Confirms enrolment with a first code; answers the recovery codes, shown this once only. */
export async function confirmMfaEnrolment(
  deps: IdentityDeps,
  staffId: string,
  code: string,
  actor: AuditActor,
): Promise<{ recovery_codes: string[] }> {
  const result = await inTransaction(deps.db, async (trx) => {
    const staff = await getStaff(trx, staffId);
    if (staff.mfa_enabled_at || !staff.mfa_secret_enc)
      throw new AppError(IdentityErrors.MFA_STATE_CONFLICT, 'Start enrolment first');
    if (!(await verifyMfaCode(trx, deps, staff, { code }))) return null;
    await trx
      .updateTable('staff_users')
      .set({ mfa_enabled_at: now(), updated_at: now() })
      .where('id', '=', staffId)
      .execute();
    // Enrolment lifts the "must enrol" restriction from this member's sessions.
    await trx.updateTable('sessions').set({ mfa_pending: 0 }).where('subject_id', '=', staffId).execute();
    const codes = await replaceRecoveryCodes(trx, staffId);
    await recordAudit(trx, actor, { action: 'staff.mfa_enabled', target_type: 'staff', target_id: staffId });
    await emit(trx, { topic: 'staff.mfa_enabled', payload: { id: staffId } });
    return { recovery_codes: codes };
  });
  if (!result) throw new AppError(IdentityErrors.MFA_CODE_INVALID, 'The code is wrong or was already used');
  return result;
}

export async function regenerateRecoveryCodes(
  deps: IdentityDeps,
  staffId: string,
  code: string,
  actor: AuditActor,
): Promise<{ recovery_codes: string[] }> {
  const result = await inTransaction(deps.db, async (trx) => {
    const staff = await getStaff(trx, staffId);
    if (!staff.mfa_enabled_at) throw new AppError(IdentityErrors.MFA_STATE_CONFLICT, 'MFA is not enabled');
    if (!(await verifyMfaCode(trx, deps, staff, { code }))) return null;
    const codes = await replaceRecoveryCodes(trx, staffId);
    await recordAudit(trx, actor, {
      action: 'staff.mfa_recovery_codes_replaced',
      target_type: 'staff',
      target_id: staffId,
    });
    return { recovery_codes: codes };
  });
  if (!result) throw new AppError(IdentityErrors.MFA_CODE_INVALID, 'The code is wrong or was already used');
  return result;
}

export async function disableMfa(
  deps: IdentityDeps,
  staffId: string,
  code: string,
  actor: AuditActor,
): Promise<void> {
  const ok = await inTransaction(deps.db, async (trx) => {
    const staff = await getStaff(trx, staffId);
    if (!staff.mfa_enabled_at) throw new AppError(IdentityErrors.MFA_STATE_CONFLICT, 'MFA is not enabled');
    if (!(await verifyMfaCode(trx, deps, staff, { code }))) return false;
    await trx
      .updateTable('staff_users')
      .set({ mfa_enabled_at: null, mfa_secret_enc: null, mfa_last_step: null, updated_at: now() })
      .where('id', '=', staffId)
      .execute();
    await trx.deleteFrom('mfa_recovery_codes').where('staff_id', '=', staffId).execute();
    await recordAudit(trx, actor, { action: 'staff.mfa_disabled', target_type: 'staff', target_id: staffId });
    await emit(trx, { topic: 'staff.mfa_disabled', payload: { id: staffId } });
    return true;
  });
  if (!ok) throw new AppError(IdentityErrors.MFA_CODE_INVALID, 'The code is wrong or was already used');
}
