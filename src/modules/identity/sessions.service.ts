import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { after, now } from '../../platform/db/time.js';
import type { DbOrTrx, Trx } from '../../platform/db/transaction.js';
import type { IdentityDeps, RequestMeta } from './deps.js';
import type { SessionsTable } from './identity.tables.js';
import { randomToken, sha256 } from './tokens.js';

export type SessionKind = SessionsTable['subject_kind'];

/** Opaque session token: `sess_` + 256 random bits. Only its SHA-256 is stored. */
export async function createSession(
  trx: Trx,
  deps: IdentityDeps,
  input: { kind: SessionKind; subject_id: string; transport: 'cookie' | 'bearer'; mfa_pending: boolean },
  meta: RequestMeta,
): Promise<{ session: SessionsTable; token: string }> {
  const token = `sess_${randomToken()}`;
  const at = now();
  const session: SessionsTable = {
    id: newId('ses'),
    subject_kind: input.kind,
    subject_id: input.subject_id,
    token_hash: sha256(token),
    mfa_pending: input.mfa_pending ? 1 : 0,
    transport: input.transport,
    ip_enc: deps.crypto.encrypt(meta.ip),
    user_agent: meta.user_agent?.slice(0, 512) ?? null,
    created_at: at,
    last_seen_at: at,
    expires_at: after(deps.config.auth.sessionTtlHours * 3_600_000),
    revoked_at: null,
  };
  await trx.insertInto('sessions').values(session).execute();
  return { session, token };
}

export async function findActiveSession(db: Db, token: string): Promise<SessionsTable | undefined> {
  const session = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!session || session.revoked_at !== null || session.expires_at <= now()) return undefined;
  return session;
}

/** Sliding activity mark, written at most once a minute per session to keep reads cheap. */
export async function touchSession(db: Db, session: SessionsTable): Promise<void> {
  if (Date.now() - Date.parse(session.last_seen_at) < 60_000) return;
  await db.updateTable('sessions').set({ last_seen_at: now() }).where('id', '=', session.id).execute();
}

export function csrfToken(secret: Buffer, sessionId: string): string {
  return createHmac('sha256', secret).update(`csrf\0${sessionId}`).digest('base64url');
}

export function csrfMatches(secret: Buffer, sessionId: string, given: string | undefined): boolean {
  if (!given) return false;
  const expected = Buffer.from(csrfToken(secret, sessionId));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface SessionView {
  id: string;
  transport: 'cookie' | 'bearer';
  user_agent: string | null;
  ip: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  current: boolean;
}

export async function listSessions(
  db: DbOrTrx,
  deps: IdentityDeps,
  kind: SessionKind,
  subjectId: string,
  currentId: string | undefined,
): Promise<SessionView[]> {
  const rows = await db
    .selectFrom('sessions')
    .selectAll()
    .where('subject_kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now())
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  return Promise.all(
    rows.map(async (row) => ({
      id: row.id,
      transport: row.transport,
      user_agent: row.user_agent,
      ip: await deps.crypto.decryptNullable(row.ip_enc),
      created_at: row.created_at,
      last_seen_at: row.last_seen_at,
      expires_at: row.expires_at,
      current: row.id === currentId,
    })),
  );
}

/** Revokes one of the subject's own sessions; false when it is not theirs (no hint whose it is). */
export async function revokeSession(
  trx: Trx,
  kind: SessionKind,
  subjectId: string,
  sessionId: string,
): Promise<boolean> {
  const result = await trx
    .updateTable('sessions')
    .set({ revoked_at: now() })
    .where('id', '=', sessionId)
    .where('subject_kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeAllSessions(
  trx: Trx,
  kind: SessionKind,
  subjectId: string,
  except?: string,
): Promise<void> {
  let q = trx
    .updateTable('sessions')
    .set({ revoked_at: now() })
    .where('subject_kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null);
  if (except) q = q.where('id', '!=', except);
  await q.execute();
}
