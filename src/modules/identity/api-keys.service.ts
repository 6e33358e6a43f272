import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/auth.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit, recordAuditNow } from '../audit/index.js';
import type { ApiKeysTable } from './identity.tables.js';
import { assertCanGrant, assertKnownPermissions } from './roles.service.js';
import { randomToken, sha256 } from './tokens.js';

export interface ApiKeyView {
  id: string;
  kind: 'publishable' | 'secret';
  name: string;
  prefix: string;
  scopes: string[];
  sales_channel_id: string | null;
  created_by: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

export function apiKeyView(row: ApiKeysTable): ApiKeyView {
  const { token_hash: _hash, scopes, ...rest } = row;
  return { ...rest, scopes: JSON.parse(scopes) as string[] };
}

/**
 * Creates a key and answers its full value once; only a SHA-256 of it is stored, with a visible
 * prefix to recognise it by. Secret keys carry scopes (permission names) no broader than the
 * creator's; publishable keys carry none and only pick a storefront's sales channel.
 */
export async function createApiKey(
  db: Db,
  granter: Principal,
  input: {
    kind: 'publishable' | 'secret';
    name: string;
    scopes?: string[] | undefined;
    sales_channel_id?: string | null | undefined;
    expires_at?: string | null | undefined;
  },
  actor: AuditActor,
): Promise<{ key: ApiKeyView; token: string }> {
  const scopes = input.kind === 'secret' ? [...new Set(input.scopes ?? [])].sort() : [];
  if (input.kind === 'secret') {
    if (scopes.length === 0)
      throw new AppError(PlatformErrors.VALIDATION_FAILED, 'A secret key needs at least one scope', [
        { field: 'body.scopes', message: 'must list at least one permission' },
      ]);
    assertKnownPermissions(scopes, 'body.scopes');
    assertCanGrant(granter, new Set(scopes));
  }
  if (input.expires_at && input.expires_at <= now())
    throw new AppError(PlatformErrors.VALIDATION_FAILED, 'The expiry is in the past', [
      { field: 'body.expires_at', message: 'must be in the future' },
    ]);
  const token = `${input.kind === 'secret' ? 'sk' : 'pk'}_${randomToken()}`;
  const row: ApiKeysTable = {
    id: newId('key'),
    kind: input.kind,
    name: input.name,
    prefix: `${token.slice(0, 10)}…`,
    token_hash: sha256(token),
    scopes: JSON.stringify(scopes),
    sales_channel_id: input.sales_channel_id ?? null,
    created_by: granter.id,
    last_used_at: null,
    expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
    revoked_at: null,
    created_at: now(),
  };
  return inTransaction(db, async (trx) => {
    await trx.insertInto('api_keys').values(row).execute();
    const key = apiKeyView(row);
    await recordAudit(trx, actor, {
      action: 'api_key.created',
      target_type: 'api_key',
      target_id: row.id,
      after: key,
    });
    await emit(trx, { topic: 'api_key.created', payload: { id: row.id, kind: row.kind } });
    return { key, token };
  });
}

export async function listApiKeys(db: Db): Promise<ApiKeyView[]> {
  return (await db.selectFrom('api_keys').selectAll().orderBy('id', 'desc').limit(500).execute()).map(
    apiKeyView,
  );
}

export async function revokeApiKey(db: Db, id: string, actor: AuditActor): Promise<ApiKeyView> {
  return inTransaction(db, async (trx) => {
    const result = await trx
      .updateTable('api_keys')
      .set({ revoked_at: now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw new AppError(PlatformErrors.NOT_FOUND, 'Active API key not found');
    const row = await trx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await recordAudit(trx, actor, { action: 'api_key.revoked', target_type: 'api_key', target_id: id });
    await emit(trx, { topic: 'api_key.revoked', payload: { id } });
    return apiKeyView(row);
  });
}

/** A live key of the given kind, or undefined for unknown, revoked and expired ones. */
export async function findLiveKey(
  db: Db,
  token: string,
  kind: ApiKeysTable['kind'],
): Promise<ApiKeysTable | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.kind !== kind || row.revoked_at !== null) return undefined;
  if (row.expires_at !== null && row.expires_at <= now()) return undefined;
  return row;
}

/** Marks use at most once a minute per key, with an audit entry, so reads stay cheap. */
export async function markKeyUsed(
  db: Db,
  row: ApiKeysTable,
  meta: { ip: string; request_id: string; user_agent: string | null },
): Promise<void> {
  if (row.last_used_at && Date.now() - Date.parse(row.last_used_at) < 60_000) return;
  await db.updateTable('api_keys').set({ last_used_at: now() }).where('id', '=', row.id).execute();
  await recordAuditNow(
    db,
    { kind: 'api_key', id: row.id, ip: meta.ip, user_agent: meta.user_agent, request_id: meta.request_id },
    { action: 'api_key.used', target_type: 'api_key', target_id: row.id },
  );
}

/** The sales channel a storefront's `x-publishable-key` selects (null: the default channel). */
export async function resolvePublishableKey(
  db: Db,
  token: string,
): Promise<{ id: string; sales_channel_id: string | null } | null> {
  const row = await findLiveKey(db, token, 'publishable');
  return row ? { id: row.id, sales_channel_id: row.sales_channel_id } : null;
}
