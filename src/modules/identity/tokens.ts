import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId } from '../../platform/db/ids.js';
import { after, now } from '../../platform/db/time.js';
import type { Trx } from '../../platform/db/transaction.js';

export type TokenPurpose =
  | 'verify_email'
  | 'reset_password'
  | 'staff_reset_password'
  | 'staff_invitation'
  | 'mfa_login';

function signature(secret: Buffer, id: string, purpose: string): string {
  return createHmac('sha256', secret).update(`${purpose}\0${id}`).digest('base64url');
}

/**
 * A signed, single-use, expiring token: `<row id>.<HMAC(purpose, id)>`. Only the row id is stored, so
 * a copy of the database cannot mint or replay tokens; the row carries expiry and the used mark.
 */
export async function issueToken(
  trx: Trx,
  secret: Buffer,
  purpose: TokenPurpose,
  subjectId: string,
  ttlMs: number,
): Promise<string> {
  const id = newId('ott');
  await trx
    .insertInto('one_time_tokens')
    .values({
      id,
      purpose,
      subject_id: subjectId,
      expires_at: after(ttlMs),
      used_at: null,
      created_at: now(),
    })
    .execute();
  return `${id}.${signature(secret, id, purpose)}`;
}

/** The token's row id when its signature for `purpose` is right (nothing is read or marked), else null. */
export function signedTokenId(secret: Buffer, purpose: TokenPurpose, token: string): string | null {
  const [id, sig] = token.split('.');
  if (!id || !sig || !/^ott_[0-9A-Z]{26}$/.test(id)) return null;
  const expected = Buffer.from(signature(secret, id, purpose));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? id : null;
}

/** Marks the token used and returns its subject, or null when forged, expired, used or for another purpose. */
export async function consumeToken(
  trx: Trx,
  secret: Buffer,
  purpose: TokenPurpose,
  token: string,
): Promise<string | null> {
  const id = signedTokenId(secret, purpose, token);
  if (!id) return null;
  const row = await trx.selectFrom('one_time_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  const at = now();
  if (!row || row.purpose !== purpose || row.used_at !== null || row.expires_at <= at) return null;
  // The conditional update is what makes the token single-use under concurrency.
  const used = await trx
    .updateTable('one_time_tokens')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1 ? row.subject_id : null;
}

/** High-entropy random secrets (session tokens, API keys) are stored as SHA-256: no salt is needed. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
