import { normaliseEmail } from '../../platform/crypto/field-crypto.js';
import { newId } from '../../platform/db/ids.js';
import { after, now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/auth.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit, systemActor } from '../audit/index.js';
import { actorOf, assertPassword } from './customers.service.js';
import type { IdentityDeps, RequestMeta } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import type { StaffUsersTable } from './identity.tables.js';
import { checkPassword, emailIndex, mfaThrottleKey } from './login.js';
import { verifyMfaCode } from './mfa.service.js';
import { hashPassword } from './passwords.js';
import { parsePermissions } from './permissions.js';
import { assertCanGrant, findRole } from './roles.service.js';
import { createSession } from './sessions.service.js';
import { getSettings } from './settings.js';
import { createThrottle } from './throttle.js';
import { consumeToken, issueToken, signedTokenId } from './tokens.js';

export interface StaffView {
  id: string;
  email: string;
  name: string | null;
  role_id: string;
  role: string;
  status: 'active' | 'disabled';
  mfa_enabled: boolean;
  created_at: string;
  updated_at: string;
}

export async function staffView(deps: IdentityDeps, db: DbOrTrx, row: StaffUsersTable): Promise<StaffView> {
  const role = await findRole(db, row.role_id);
  return {
    id: row.id,
    email: await deps.crypto.decrypt(row.email_enc),
    name: await deps.crypto.decryptNullable(row.name_enc),
    role_id: row.role_id,
    role: role.name,
    status: row.status,
    mfa_enabled: row.mfa_enabled_at !== null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function getStaffRow(db: DbOrTrx, id: string): Promise<StaffUsersTable> {
  const row = await db.selectFrom('staff_users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, 'Staff member not found');
  return row;
}

async function insertStaff(
  trx: Trx,
  deps: IdentityDeps,
  input: { email: string; password: string; name?: string | null | undefined; role_id: string },
  passwordHash: string,
  actor: AuditActor,
): Promise<StaffUsersTable> {
  const email = normaliseEmail(input.email);
  const index = emailIndex(deps, email);
  const exists = await trx
    .selectFrom('staff_users')
    .select('id')
    .where('email_index', '=', index)
    .executeTakeFirst();
  if (exists) throw new AppError(IdentityErrors.STAFF_EXISTS, 'A staff member with this email exists');
  const at = now();
  const row: StaffUsersTable = {
    id: newId('usr'),
    email_enc: deps.crypto.encrypt(email),
    email_index: index,
    name_enc: deps.crypto.encryptNullable(input.name),
    password_hash: passwordHash,
    role_id: input.role_id,
    status: 'active',
    mfa_secret_enc: null,
    mfa_enabled_at: null,
    mfa_last_step: null,
    created_at: at,
    updated_at: at,
  };
  await trx.insertInto('staff_users').values(row).execute();
  await recordAudit(trx, actor, {
    action: 'staff.created',
    target_type: 'staff',
    target_id: row.id,
    after: { role_id: row.role_id, email: email },
  });
  await emit(trx, { topic: 'staff.created', payload: { id: row.id } });
  return row;
}

/** Direct creation (the `stratus user create` bootstrap and test set-up); the API invites instead. */
export async function createStaff(
  deps: IdentityDeps,
  input: { email: string; password: string; name?: string | null | undefined; role: string },
  actor: AuditActor = systemActor,
): Promise<StaffView> {
  assertPassword(input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  return inTransaction(deps.db, async (trx) => {
    const role = await findRole(trx, input.role);
    const row = await insertStaff(trx, deps, { ...input, role_id: role.id }, passwordHash, actor);
    return staffView(deps, trx, row);
  });
}

export type StaffLoginResult =
  | { kind: 'session'; token: string; session_id: string; mfa_enrollment_required: boolean }
  | { kind: 'mfa'; mfa_token: string };

async function openStaffSession(
  trx: Trx,
  deps: IdentityDeps,
  row: StaffUsersTable,
  transport: 'cookie' | 'bearer',
  meta: RequestMeta,
  via: string,
): Promise<StaffLoginResult> {
  const settings = await getSettings(trx);
  const pending = settings.require_staff_mfa && row.mfa_enabled_at === null;
  const { session, token } = await createSession(
    trx,
    deps,
    { kind: 'staff', subject_id: row.id, transport, mfa_pending: pending },
    meta,
  );
  await recordAudit(trx, actorOf('staff', row.id, meta), {
    action: 'staff.login',
    target_type: 'session',
    target_id: session.id,
    after: { via, mfa_enrollment_required: pending },
  });
  return { kind: 'session', token, session_id: session.id, mfa_enrollment_required: pending };
}

/** Step one: the password. With MFA on, the answer is a short-lived token for step two. */
export async function loginStaff(
  deps: IdentityDeps,
  input: { email: string; password: string; transport: 'cookie' | 'bearer' },
  meta: RequestMeta,
): Promise<StaffLoginResult> {
  const found = await checkPassword(deps, 'staff', input.email, input.password, meta, (index) =>
    deps.db
      .selectFrom('staff_users')
      .selectAll()
      .where('email_index', '=', index)
      .where('status', '=', 'active')
      .executeTakeFirst(),
  );
  return inTransaction(deps.db, async (trx) => {
    if (found.mfa_enabled_at) {
      const mfaToken = await issueToken(trx, deps.secrets.sessionSecret, 'mfa_login', found.id, 5 * 60_000);
      await recordAudit(trx, actorOf('staff', found.id, meta), {
        action: 'staff.login_password_ok',
        target_type: 'staff',
        target_id: found.id,
      });
      return { kind: 'mfa' as const, mfa_token: mfaToken };
    }
    return openStaffSession(trx, deps, found, input.transport, meta, 'password');
  });
}

/** Wrong codes against one step-one token before it is spent (the account lock may come sooner). */
export const MFA_TOKEN_MAX_FAILURES = 5;

/**
 * Step two: a TOTP code or a recovery code against the step-one token. Wrong codes count toward the
 * account's lockout (its MFA key, and the client IP's key) like wrong passwords, with the same
 * progressive delay; after MFA_TOKEN_MAX_FAILURES wrong codes the step-one token is spent and the
 * sign-in starts again from the password.
 */
export async function completeStaffMfaLogin(
  deps: IdentityDeps,
  input: {
    mfa_token: string;
    code?: string | undefined;
    recovery_code?: string | undefined;
    transport: 'cookie' | 'bearer';
  },
  meta: RequestMeta,
): Promise<StaffLoginResult> {
  const expired = () =>
    new AppError(IdentityErrors.TOKEN_INVALID, 'The sign-in step has expired; start again');
  const tokenId = signedTokenId(deps.secrets.sessionSecret, 'mfa_login', input.mfa_token);
  if (!tokenId) throw expired();
  const token = await deps.db
    .selectFrom('one_time_tokens')
    .selectAll()
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (token?.purpose !== 'mfa_login' || token.used_at !== null || token.expires_at <= now()) throw expired();
  const staff = await getStaffRow(deps.db, token.subject_id);
  const throttle = createThrottle(deps.db, deps.config.auth);
  const max = deps.config.auth.maxFailures;
  const accountKey = mfaThrottleKey(staff.email_index);
  const ipKey = `ip:${meta.ip}`;
  const tokenKey = `mfa_token:${tokenId}`;
  const locked = await throttle.lockedFor([accountKey, ipKey]);
  if (locked > 0)
    throw new AppError(IdentityErrors.LOGIN_LOCKED, 'Too many failed attempts; try again later', {
      retry_after_seconds: locked,
    });
  const result = await inTransaction(deps.db, async (trx) => {
    const row = await getStaffRow(trx, staff.id);
    const method = await verifyMfaCode(trx, deps, row, input);
    if (!method) {
      await recordAudit(trx, actorOf('staff', row.id, meta), {
        action: 'staff.mfa_failed',
        target_type: 'staff',
        target_id: row.id,
        outcome: 'failure',
      });
      return null;
    }
    const consumed = await consumeToken(trx, deps.secrets.sessionSecret, 'mfa_login', input.mfa_token);
    if (consumed !== row.id) throw expired();
    if (row.status !== 'active')
      throw new AppError(IdentityErrors.INVALID_CREDENTIALS, 'Invalid email or password');
    return openStaffSession(trx, deps, row, input.transport, meta, method);
  });
  if (result) {
    await throttle.succeed(accountKey);
    await throttle.succeed(tokenKey);
    return result;
  }
  // Counted (and delayed) outside the transaction, like password failures.
  await throttle.fail([
    { key: accountKey, max },
    { key: ipKey, max: max * 5 },
    { key: tokenKey, max: MFA_TOKEN_MAX_FAILURES },
  ]);
  const spent = await deps.db
    .selectFrom('login_throttle')
    .select('failures')
    .where('key', '=', tokenKey)
    .executeTakeFirst();
  if ((spent?.failures ?? 0) >= MFA_TOKEN_MAX_FAILURES) {
    await deps.db
      .updateTable('one_time_tokens')
      .set({ used_at: now() })
      .where('id', '=', tokenId)
      .where('used_at', 'is', null)
      .execute();
    await throttle.succeed(tokenKey);
  }
  throw new AppError(IdentityErrors.MFA_CODE_INVALID, 'The code is wrong or was already used');
}

export async function listStaff(deps: IdentityDeps, limit: number, before?: string): Promise<StaffView[]> {
  let q = deps.db.selectFrom('staff_users').selectAll();
  if (before) q = q.where('id', '<', before);
  const rows = await q.orderBy('id', 'desc').limit(limit).execute();
  return Promise.all(rows.map((row) => staffView(deps, deps.db, row)));
}

async function activeOwners(trx: Trx): Promise<number> {
  const row = await trx
    .selectFrom('staff_users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_id', '=', 'role_owner')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateStaff(
  deps: IdentityDeps,
  granter: Principal,
  id: string,
  patch: {
    role?: string | undefined;
    status?: 'active' | 'disabled' | undefined;
    name?: string | null | undefined;
  },
  actor: AuditActor,
): Promise<StaffView> {
  return inTransaction(deps.db, async (trx) => {
    const row = await getStaffRow(trx, id);
    const before = await staffView(deps, trx, row);
    // Acting on someone requires holding everything they hold (an admin cannot disable an owner).
    assertCanGrant(granter, parsePermissions((await findRole(trx, row.role_id)).permissions));
    const set: Partial<StaffUsersTable> = { updated_at: now() };
    if (patch.role !== undefined) {
      const role = await findRole(trx, patch.role);
      assertCanGrant(granter, parsePermissions(role.permissions));
      set.role_id = role.id;
    }
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.name !== undefined) set.name_enc = deps.crypto.encryptNullable(patch.name);
    const demotesOwner =
      row.role_id === 'role_owner' &&
      row.status === 'active' &&
      ((set.role_id && set.role_id !== 'role_owner') || set.status === 'disabled');
    if (demotesOwner && (await activeOwners(trx)) <= 1)
      throw new AppError(IdentityErrors.LAST_OWNER, 'The last owner cannot be demoted or disabled');
    await trx.updateTable('staff_users').set(set).where('id', '=', id).execute();
    if (set.status === 'disabled')
      await trx
        .updateTable('sessions')
        .set({ revoked_at: now() })
        .where('subject_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    const afterView = await staffView(deps, trx, await getStaffRow(trx, id));
    await recordAudit(trx, actor, {
      action: 'staff.updated',
      target_type: 'staff',
      target_id: id,
      before,
      after: afterView,
    });
    await emit(trx, { topic: 'staff.updated', payload: { id } });
    return afterView;
  });
}

export interface InvitationView {
  id: string;
  email: string;
  role_id: string;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

const INVITATION_TTL_MS = 7 * 86_400_000;

export async function inviteStaff(
  deps: IdentityDeps,
  granter: Principal,
  input: { email: string; role: string },
  actor: AuditActor,
): Promise<InvitationView> {
  const email = normaliseEmail(input.email);
  const { view, token } = await inTransaction(deps.db, async (trx) => {
    const role = await findRole(trx, input.role);
    assertCanGrant(granter, parsePermissions(role.permissions));
    const index = emailIndex(deps, email);
    const exists = await trx
      .selectFrom('staff_users')
      .select('id')
      .where('email_index', '=', index)
      .executeTakeFirst();
    if (exists) throw new AppError(IdentityErrors.STAFF_EXISTS, 'A staff member with this email exists');
    const at = now();
    const row = {
      id: newId('inv'),
      email_enc: deps.crypto.encrypt(email),
      email_index: index,
      role_id: role.id,
      invited_by: actor.id ?? 'system',
      expires_at: after(INVITATION_TTL_MS),
      accepted_at: null,
      revoked_at: null,
      created_at: at,
    };
    await trx.insertInto('staff_invitations').values(row).execute();
    const token = await issueToken(
      trx,
      deps.secrets.sessionSecret,
      'staff_invitation',
      row.id,
      INVITATION_TTL_MS,
    );
    await recordAudit(trx, actor, {
      action: 'staff.invited',
      target_type: 'invitation',
      target_id: row.id,
      after: { role_id: role.id },
    });
    await emit(trx, { topic: 'staff.invited', payload: { id: row.id } });
    return {
      view: {
        id: row.id,
        email,
        role_id: role.id,
        expires_at: row.expires_at,
        accepted_at: null,
        revoked_at: null,
        created_at: at,
      },
      token,
    };
  });
  await deps.mailer.send({
    to: email,
    subject: 'You are invited to the Stratus admin',
    text: `Accept the invitation and choose a password: ${deps.config.publicUrl}/admin/accept-invitation?token=${token}\n\nThe link works once and expires in 7 days.`,
  });
  return view;
}

export async function acceptInvitation(
  deps: IdentityDeps,
  input: { token: string; password: string; name?: string | null | undefined },
  meta: RequestMeta,
): Promise<StaffView> {
  const passwordHash = await hashPassword(input.password);
  return inTransaction(deps.db, async (trx) => {
    const invitationId = await consumeToken(trx, deps.secrets.sessionSecret, 'staff_invitation', input.token);
    const invitation = invitationId
      ? await trx
          .selectFrom('staff_invitations')
          .selectAll()
          .where('id', '=', invitationId)
          .executeTakeFirst()
      : undefined;
    if (!invitation || invitation.revoked_at || invitation.accepted_at)
      throw new AppError(IdentityErrors.TOKEN_INVALID, 'The invitation is invalid, expired or already used');
    const email = await deps.crypto.decrypt(invitation.email_enc);
    assertPassword(input.password, email);
    await trx
      .updateTable('staff_invitations')
      .set({ accepted_at: now() })
      .where('id', '=', invitation.id)
      .execute();
    const row = await insertStaff(
      trx,
      deps,
      { email, password: input.password, name: input.name, role_id: invitation.role_id },
      passwordHash,
      actorOf('anonymous', null, meta),
    );
    return staffView(deps, trx, row);
  });
}

export async function listInvitations(deps: IdentityDeps): Promise<InvitationView[]> {
  const rows = await deps.db
    .selectFrom('staff_invitations')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      email: await deps.crypto.decrypt(row.email_enc),
      role_id: row.role_id,
      expires_at: row.expires_at,
      accepted_at: row.accepted_at,
      revoked_at: row.revoked_at,
      created_at: row.created_at,
    })),
  );
}

export async function revokeInvitation(deps: IdentityDeps, id: string, actor: AuditActor): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const result = await trx
      .updateTable('staff_invitations')
      .set({ revoked_at: now() })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw new AppError(PlatformErrors.NOT_FOUND, 'Open invitation not found');
    await recordAudit(trx, actor, {
      action: 'staff.invitation_revoked',
      target_type: 'invitation',
      target_id: id,
    });
    await emit(trx, { topic: 'staff.invitation_revoked', payload: { id } });
  });
}
