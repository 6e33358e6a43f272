import { normaliseEmail } from '../../platform/crypto/field-crypto.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import type { IdentityDeps, RequestMeta } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import type { CustomersTable } from './identity.tables.js';
import { checkPassword, emailIndex } from './login.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { createSession, revokeAllSessions } from './sessions.service.js';
import { consumeToken, issueToken } from './tokens.js';

const DAY = 86_400_000;

export interface CustomerView {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email_verified: boolean;
  group_id: string | null;
  status: 'active' | 'erased';
  created_at: string;
  updated_at: string;
}

export async function customerView(deps: IdentityDeps, row: CustomersTable): Promise<CustomerView> {
  const { crypto } = deps;
  return {
    id: row.id,
    email: await crypto.decrypt(row.email_enc),
    first_name: await crypto.decryptNullable(row.first_name_enc),
    last_name: await crypto.decryptNullable(row.last_name_enc),
    phone: await crypto.decryptNullable(row.phone_enc),
    email_verified: row.email_verified_at !== null,
    group_id: row.group_id,
    status: row.status,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function assertPassword(password: string, email?: string): void {
  const problem = passwordProblem(password, { email });
  if (problem)
    throw new AppError(IdentityErrors.WEAK_PASSWORD, `Password ${problem}`, [
      { field: 'body.password', message: problem },
    ]);
}

export function actorOf(kind: AuditActor['kind'], id: string | null, meta: RequestMeta): AuditActor {
  return { kind, id, ip: meta.ip, user_agent: meta.user_agent, request_id: meta.request_id };
}

export interface Registration {
  email: string;
  password: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  phone?: string | undefined;
}

/**
 * Registers a customer. The answer is the same whether or not the email is taken (no account
 * enumeration): a new address gets a verification link, a taken one a note to its owner.
 */
export async function registerCustomer(
  deps: IdentityDeps,
  input: Registration,
  meta: RequestMeta,
): Promise<void> {
  assertPassword(input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  const email = normaliseEmail(input.email);
  const index = emailIndex(deps, email);
  const outcome = await inTransaction(deps.db, async (trx) => {
    const existing = await trx
      .selectFrom('customers')
      .select('id')
      .where('email_index', '=', index)
      .executeTakeFirst();
    if (existing) return { taken: true as const };
    const at = now();
    const row: CustomersTable = {
      id: newId('cus'),
      email_enc: deps.crypto.encrypt(email),
      email_index: index,
      first_name_enc: deps.crypto.encryptNullable(input.first_name),
      last_name_enc: deps.crypto.encryptNullable(input.last_name),
      phone_enc: deps.crypto.encryptNullable(input.phone),
      password_hash: passwordHash,
      email_verified_at: null,
      group_id: null,
      status: 'active',
      erased_at: null,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('customers').values(row).execute();
    await recordAudit(trx, actorOf('customer', row.id, meta), {
      action: 'customer.registered',
      target_type: 'customer',
      target_id: row.id,
    });
    await emit(trx, { topic: 'customer.created', payload: { id: row.id } });
    const token = await issueToken(trx, deps.secrets.sessionSecret, 'verify_email', row.id, 2 * DAY);
    return { taken: false as const, token };
  });
  // Mail goes out after commit: a rollback never sends, a failed send leaves a valid account that can
  // ask for a new link.
  const base = deps.config.publicUrl;
  if (outcome.taken) {
    await deps.mailer.send({
      to: email,
      subject: 'You already have an account',
      text: `Someone tried to register with this address. If it was you, sign in or reset your password at ${base}/account/reset-password.`,
    });
  } else {
    await deps.mailer.send({
      to: email,
      subject: 'Verify your email',
      text: `Confirm your email address: ${base}/account/verify?token=${outcome.token}\n\nThe link works once and expires in 48 hours.`,
    });
  }
}

export async function verifyCustomerEmail(
  deps: IdentityDeps,
  token: string,
  meta: RequestMeta,
): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const id = await consumeToken(trx, deps.secrets.sessionSecret, 'verify_email', token);
    if (!id) throw new AppError(IdentityErrors.TOKEN_INVALID, 'The link is invalid, expired or already used');
    await trx
      .updateTable('customers')
      .set({ email_verified_at: now(), updated_at: now() })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, actorOf('customer', id, meta), {
      action: 'customer.email_verified',
      target_type: 'customer',
      target_id: id,
    });
    await emit(trx, { topic: 'customer.email_verified', payload: { id } });
  });
}

export async function loginCustomer(
  deps: IdentityDeps,
  input: { email: string; password: string; transport: 'cookie' | 'bearer' },
  meta: RequestMeta,
) {
  const row = await checkPassword(deps, 'customer', input.email, input.password, meta, (index) =>
    deps.db
      .selectFrom('customers')
      .select(['id', 'password_hash'])
      .where('email_index', '=', index)
      .where('status', '=', 'active')
      .executeTakeFirst(),
  );
  return inTransaction(deps.db, async (trx) => {
    const created = await createSession(
      trx,
      deps,
      { kind: 'customer', subject_id: row.id, transport: input.transport, mfa_pending: false },
      meta,
    );
    await recordAudit(trx, actorOf('customer', row.id, meta), {
      action: 'customer.login',
      target_type: 'session',
      target_id: created.session.id,
    });
    return created;
  });
}

export async function getCustomer(deps: IdentityDeps, db: DbOrTrx, id: string): Promise<CustomerView> {
  const row = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, 'Customer not found');
  return customerView(deps, row);
}

export interface ProfilePatch {
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
  phone?: string | null | undefined;
  group_id?: string | null | undefined;
}

export async function updateCustomer(
  deps: IdentityDeps,
  id: string,
  patch: ProfilePatch,
  actor: AuditActor,
): Promise<CustomerView> {
  return inTransaction(deps.db, async (trx) => {
    const before = await getCustomer(deps, trx, id);
    if (before.status === 'erased') throw new AppError(PlatformErrors.CONFLICT, 'The customer was erased');
    const set: Partial<CustomersTable> = { updated_at: now() };
    if (patch.first_name !== undefined) set.first_name_enc = deps.crypto.encryptNullable(patch.first_name);
    if (patch.last_name !== undefined) set.last_name_enc = deps.crypto.encryptNullable(patch.last_name);
    if (patch.phone !== undefined) set.phone_enc = deps.crypto.encryptNullable(patch.phone);
    if (patch.group_id !== undefined) {
      if (patch.group_id !== null) {
        const group = await trx
          .selectFrom('customer_groups')
          .select('id')
          .where('id', '=', patch.group_id)
          .executeTakeFirst();
        if (!group)
          throw new AppError(PlatformErrors.VALIDATION_FAILED, 'Unknown customer group', [
            { field: 'body.group_id', message: 'does not exist' },
          ]);
      }
      set.group_id = patch.group_id;
    }
    await trx.updateTable('customers').set(set).where('id', '=', id).execute();
    const after = await getCustomer(deps, trx, id);
    await recordAudit(trx, actor, {
      action: 'customer.updated',
      target_type: 'customer',
      target_id: id,
      before,
      after,
    });
    await emit(trx, { topic: 'customer.updated', payload: { id } });
    return after;
  });
}

export async function changeCustomerPassword(
  deps: IdentityDeps,
  id: string,
  current: string,
  next: string,
  sessionId: string | undefined,
  meta: RequestMeta,
): Promise<void> {
  const row = await deps.db
    .selectFrom('customers')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  if (!row.password_hash || !(await verifyPassword(row.password_hash, current)))
    throw new AppError(IdentityErrors.INVALID_CREDENTIALS, 'The current password is wrong');
  assertPassword(next, await deps.crypto.decrypt(row.email_enc));
  const passwordHash = await hashPassword(next);
  await inTransaction(deps.db, async (trx) => {
    await trx
      .updateTable('customers')
      .set({ password_hash: passwordHash, updated_at: now() })
      .where('id', '=', id)
      .execute();
    await revokeAllSessions(trx, 'customer', id, sessionId);
    await recordAudit(trx, actorOf('customer', id, meta), {
      action: 'customer.password_changed',
      target_type: 'customer',
      target_id: id,
    });
    await emit(trx, { topic: 'customer.password_changed', payload: { id } });
  });
}

/** Admin list, newest first; `email` finds one customer through the blind index (exact match). */
export async function listCustomers(
  deps: IdentityDeps,
  query: {
    limit: number;
    before?: string | undefined;
    email?: string | undefined;
    group_id?: string | undefined;
  },
): Promise<CustomerView[]> {
  let q = deps.db.selectFrom('customers').selectAll();
  if (query.email) q = q.where('email_index', '=', emailIndex(deps, query.email));
  if (query.group_id) q = q.where('group_id', '=', query.group_id);
  if (query.before) q = q.where('id', '<', query.before);
  const rows = await q.orderBy('id', 'desc').limit(query.limit).execute();
  return Promise.all(rows.map((row) => customerView(deps, row)));
}
