import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { after, now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { forgetIdempotentResponses } from '../../platform/http/idempotency.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import { getCustomer, getSettings, type IdentityDeps, storedSettings } from '../identity/index.js';
import { erasureHandlers, exportSections, retentionHandlers } from './privacy.hooks.js';
import type { ConsentsTable } from './privacy.tables.js';

const DAY = 86_400_000;

export interface ConsentInput {
  purpose: ConsentsTable['purpose'];
  granted: boolean;
  source: string;
  text_version: string;
}

export interface ConsentView {
  id: string;
  purpose: string;
  granted: boolean;
  source: string;
  text_version: string;
  created_at: string;
}

const consentView = (row: ConsentsTable): ConsentView => ({
  id: row.id,
  purpose: row.purpose,
  granted: row.granted === 1,
  source: row.source,
  text_version: row.text_version,
  created_at: row.created_at,
});

/** Consent history, newest first; the first row per purpose is the current state. */
export async function listConsents(db: Db, customerId: string): Promise<ConsentView[]> {
  const rows = await db
    .selectFrom('consents')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id', 'desc')
    .limit(500)
    .execute();
  return rows.map(consentView);
}

export async function recordConsent(
  db: Db,
  customerId: string,
  input: ConsentInput,
  actor: AuditActor,
): Promise<ConsentView> {
  return inTransaction(db, async (trx) => {
    const row: ConsentsTable = {
      id: newId('cons'),
      customer_id: customerId,
      purpose: input.purpose,
      granted: input.granted ? 1 : 0,
      source: input.source,
      text_version: input.text_version,
      created_at: now(),
    };
    await trx.insertInto('consents').values(row).execute();
    await recordAudit(trx, actor, {
      action: 'consent.recorded',
      target_type: 'customer',
      target_id: customerId,
      after: consentView(row),
    });
    await emit(trx, {
      topic: 'customer.consent_changed',
      payload: { customer_id: customerId, purpose: row.purpose, granted: input.granted },
    });
    return consentView(row);
  });
}

/** Everything Stratus holds about one customer, as JSON (GDPR art. 15 and 20). */
export async function exportCustomer(
  deps: IdentityDeps,
  customerId: string,
): Promise<Record<string, unknown>> {
  const profile = await getCustomer(deps, deps.db, customerId);
  const addresses = await deps.db
    .selectFrom('customer_addresses')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
  const sessions = await deps.db
    .selectFrom('sessions')
    .select(['id', 'transport', 'user_agent', 'created_at', 'last_seen_at', 'expires_at', 'revoked_at'])
    .where('subject_kind', '=', 'customer')
    .where('subject_id', '=', customerId)
    .orderBy('id')
    .execute();
  const activity = await deps.db
    .selectFrom('audit_log')
    .select(['at', 'action', 'target_type', 'target_id', 'outcome'])
    .where((eb) => eb.or([eb('actor_id', '=', customerId), eb('target_id', '=', customerId)]))
    .orderBy('seq')
    .limit(10_000)
    .execute();
  const d = (v: string | null) => deps.crypto.decryptNullable(v);
  const out: Record<string, unknown> = {
    exported_at: now(),
    profile,
    addresses: await Promise.all(
      addresses.map(async (a) => ({
        id: a.id,
        first_name: await d(a.first_name_enc),
        last_name: await d(a.last_name_enc),
        company: await d(a.company_enc),
        address_1: await d(a.address_1_enc),
        address_2: await d(a.address_2_enc),
        city: await d(a.city_enc),
        province: await d(a.province_enc),
        postal_code: await d(a.postal_code_enc),
        country_code: a.country_code,
        phone: await d(a.phone_enc),
        created_at: a.created_at,
      })),
    ),
    consents: await listConsents(deps.db, customerId),
    sessions,
    activity,
  };
  for (const section of exportSections())
    out[section.name] = await section.collect(deps.db, customerId, deps.crypto);
  return out;
}

/**
 * Erasure (GDPR art. 17): personal fields are overwritten, the address book and sessions deleted,
 * and every registered module anonymises its own rows in the same transaction, keeping financial
 * records (amounts, taxes, dates) that accounting law requires. The customer id stays as an
 * anonymous key so orders still add up. Consent history is kept as proof, holding no personal data.
 */
export async function eraseCustomer(
  deps: IdentityDeps,
  customerId: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    const row = await trx
      .selectFrom('customers')
      .select(['id', 'status', 'email_enc'])
      .where('id', '=', customerId)
      .executeTakeFirst();
    if (!row) throw new AppError(PlatformErrors.NOT_FOUND, 'Customer not found');
    const subject = { crypto: deps.crypto, email: await deps.crypto.decrypt(row.email_enc) };
    if (row.status === 'erased')
      throw new AppError(PlatformErrors.CONFLICT, 'The customer was already erased');
    const at = now();
    await trx
      .updateTable('customers')
      .set({
        email_enc: deps.crypto.encrypt(`erased+${customerId}@invalid`),
        email_index: `erased:${customerId}`,
        first_name_enc: null,
        last_name_enc: null,
        phone_enc: null,
        password_hash: null,
        group_id: null,
        status: 'erased',
        erased_at: at,
        updated_at: at,
      })
      .where('id', '=', customerId)
      .execute();
    await trx.deleteFrom('customer_addresses').where('customer_id', '=', customerId).execute();
    await trx
      .deleteFrom('sessions')
      .where('subject_kind', '=', 'customer')
      .where('subject_id', '=', customerId)
      .execute();
    await trx.deleteFrom('one_time_tokens').where('subject_id', '=', customerId).execute();
    // Stored responses of the customer's own signed-in calls (profile, addresses).
    await forgetIdempotentResponses(trx, { scope: customerId });
    for (const handler of erasureHandlers()) await handler.erase(trx, customerId, subject);
    await recordAudit(trx, actor, {
      action: 'customer.erased',
      target_type: 'customer',
      target_id: customerId,
      after: { handlers: erasureHandlers().map((h) => h.name) },
    });
    await emit(trx, { topic: 'customer.erased', payload: { id: customerId } });
  });
}

export interface RetentionReport {
  sessions: number;
  tokens: number;
  throttle: number;
  handlers: Record<string, number>;
}

/**
 * The instant before which behavioural events go, from the `event_retention_days` setting; null
 * while no owner has set it (modules then keep their own default, e.g. analytics' months).
 */
export async function eventRetentionCutoff(db: Db, nowMs = Date.now()): Promise<string | null> {
  const days = (await storedSettings(db)).event_retention_days;
  return days === undefined ? null : new Date(nowMs - days * DAY).toISOString();
}

/** Deletes ended sessions and spent tokens past retention, and runs modules' event purges. */
export async function runRetention(db: Db): Promise<RetentionReport> {
  const settings = await getSettings(db);
  const sessionCutoff = after(-settings.session_retention_days * DAY);
  const sessions = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', sessionCutoff),
        eb.and([eb('revoked_at', 'is not', null), eb('revoked_at', '<', sessionCutoff)]),
      ]),
    )
    .executeTakeFirst();
  const tokens = await db
    .deleteFrom('one_time_tokens')
    .where('expires_at', '<', after(-DAY))
    .executeTakeFirst();
  const throttle = await db
    .deleteFrom('login_throttle')
    .where('first_failure_at', '<', after(-DAY))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now())]))
    .executeTakeFirst();
  const handlers: Record<string, number> = {};
  const eventCutoff = await eventRetentionCutoff(db);
  for (const handler of retentionHandlers())
    handlers[handler.name] = await handler.purge(db, { eventCutoff });
  return {
    sessions: Number(sessions.numDeletedRows),
    tokens: Number(tokens.numDeletedRows),
    throttle: Number(throttle.numDeletedRows),
    handlers,
  };
}
