import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FieldCrypto } from '../crypto/field-crypto.js';
import { registerEncryptedColumns } from '../crypto/key-rotation.js';
import type { Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import { after, now } from '../db/time.js';
import type { DbOrTrx } from '../db/transaction.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import { AppError, defineErrors, PlatformErrors } from './errors.js';

/**
 * Idempotency-Key support for unsafe calls, as Stripe does it: the first request with a key runs and
 * its response (status and exact body) is stored; a retry with the same key and the same request
 * replays that response; the same key with a different request answers 409 IDEMPOTENCY_KEY_REUSED.
 * Concurrent duplicates run once: the others wait for the first to finish and replay its response.
 * 5xx outcomes are not stored, so a retry after a server failure runs again. A claim whose owner
 * crashed lapses after `lockMs` and can be taken over.
 *
 * Routes opt out with `config: { idempotency: false }` (provider webhooks dedupe by event id).
 */
export const IdempotencyErrors = defineErrors({
  IDEMPOTENCY_KEY_IN_USE: {
    status: 409,
    description: 'A request with this Idempotency-Key is still being processed; retry shortly.',
  },
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: this route ignores Idempotency-Key (it dedupes by its own key). */
    idempotency?: boolean;
  }
  interface FastifyRequest {
    idempotency: IdempotencyClaim | null;
  }
}

export interface IdempotencyClaim {
  scope: string;
  key: string;
}

export type ClaimResult = { kind: 'execute' } | { kind: 'replay'; status: number; body: string };

export interface ClaimOptions extends IdempotencyClaim {
  requestHash: string;
  /** How long a claim protects a running request before another may take it over. */
  lockMs?: number;
  /** How long a duplicate waits for the running request before answering IDEMPOTENCY_KEY_IN_USE. */
  waitMs?: number;
}

const KEY = /^[\x21-\x7e]{1,255}$/;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** JSON with sorted object keys, so `{a,b}` and `{b,a}` fingerprint the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Claims `key` for one execution, or returns the stored response to replay. */
export async function claimIdempotencyKey(db: Db, options: ClaimOptions): Promise<ClaimResult> {
  const lockMs = options.lockMs ?? 60_000;
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (let round = 0; ; round++) {
    const at = now();
    const inserted = await claimRow(db, {
      id: `${options.scope} ${options.key}`,
      scope: options.scope,
      key: options.key,
      request_hash: options.requestHash,
      locked_until: after(lockMs),
      at,
    });
    if (inserted.length === 1) return { kind: 'execute' };

    const row = await db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status', 'response_status', 'response_body', 'locked_until'])
      .where('scope', '=', options.scope)
      .where('key', '=', options.key)
      .executeTakeFirst();
    if (!row) continue; // abandoned between our insert and select: claim it on the next round
    if (row.request_hash !== options.requestHash) {
      throw new AppError(
        PlatformErrors.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was already used with a different request',
      );
    }
    if (row.status === 'completed') {
      return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body ?? '' };
    }
    if (row.locked_until < now()) {
      const taken = await db
        .updateTable('idempotency_keys')
        .set({ locked_until: after(lockMs), updated_at: now() })
        .where('scope', '=', options.scope)
        .where('key', '=', options.key)
        .where('status', '=', 'in_progress')
        .where('locked_until', '=', row.locked_until)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return { kind: 'execute' };
    }
    if (Date.now() > deadline) {
      throw new AppError(
        IdempotencyErrors.IDEMPOTENCY_KEY_IN_USE,
        'A request with this Idempotency-Key is still being processed',
      );
    }
    await sleep(Math.min(5 + round * 5, 50) + Math.random() * 10);
  }
}

export async function completeIdempotencyKey(
  db: Db,
  claim: IdempotencyClaim,
  status: number,
  body: string,
  resourceId: string | null = null,
): Promise<void> {
  await completeRow(db, {
    scope: claim.scope,
    key: claim.key,
    status,
    body,
    resource_id: resourceId,
    at: now(),
  });
}

// Every unsafe store call claims and completes a key: both statements are compiled once (prepared).
const claimRow = prepared(
  (
    db,
    a: { id: string; scope: string; key: string; request_hash: string; locked_until: string; at: string },
  ) =>
    db
      .insertInto('idempotency_keys')
      .values({
        id: a.id,
        resource_id: null,
        scope: a.scope,
        key: a.key,
        request_hash: a.request_hash,
        status: 'in_progress',
        response_status: null,
        response_body: null,
        locked_until: a.locked_until,
        created_at: a.at,
        updated_at: a.at,
      })
      .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
      // A row comes back only when this call inserted it (a conflict returns none).
      .returning('key'),
);

const completeRow = prepared(
  (
    db,
    a: { scope: string; key: string; status: number; body: string; resource_id: string | null; at: string },
  ) =>
    db
      .updateTable('idempotency_keys')
      .set({
        status: 'completed',
        response_status: a.status,
        response_body: a.body,
        resource_id: a.resource_id,
        updated_at: a.at,
      })
      .where('scope', '=', a.scope)
      .where('key', '=', a.key),
);

/** Forgets a claim whose request failed on our side, so a retry runs again. */
export async function abandonIdempotencyKey(db: Db, claim: IdempotencyClaim): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('scope', '=', claim.scope)
    .where('key', '=', claim.key)
    .where('status', '=', 'in_progress')
    .execute();
}

/**
 * GDPR erasure: deletes the stored responses (they may hold the customer's email and addresses) of a
 * caller's own requests (`scope`, the customer id) and of requests about their carts and orders
 * (`resourceIds`). A retry with such a key afterwards runs again instead of replaying.
 */
export async function forgetIdempotentResponses(
  db: DbOrTrx,
  target: { scope?: string; resourceIds?: string[] },
): Promise<number> {
  const ids = target.resourceIds ?? [];
  if (!target.scope && ids.length === 0) return 0;
  const result = await db
    .deleteFrom('idempotency_keys')
    .where((eb) =>
      eb.or([
        ...(target.scope ? [eb('scope', '=', target.scope)] : []),
        ...(ids.length > 0 ? [eb('resource_id', 'in', ids)] : []),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes keys older than `olderThanMs` (retries are only meaningful for a day or so). */
export async function pruneIdempotencyKeys(db: Db, olderThanMs: number): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', after(-olderThanMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Whose keys a request's key lives among. Public store routes resolve no principal, so callers that
 * carry credentials (a customer's bearer token or session cookie) get a scope of their own: another
 * caller sending the same key and request must not replay their stored response (a customer's order).
 */
function scopeOf(request: FastifyRequest): string {
  if (request.principal) return request.principal.id;
  const credential = request.headers.authorization ?? request.headers.cookie;
  return credential ? `anon:${createHash('sha256').update(credential).digest('base64url')}` : 'public';
}

/** The resource a stored response is about: the path's `id` (a cart, an order), else the one created. */
function resourceOf(request: FastifyRequest, payload: string): string | null {
  const params = request.params as Record<string, unknown> | undefined;
  if (typeof params?.id === 'string') return params.id;
  try {
    const body = JSON.parse(payload) as { id?: unknown } | null;
    return typeof body?.id === 'string' ? body.id : null;
  } catch {
    return null;
  }
}

/**
 * Installs the Idempotency-Key hooks on every unsafe route of `app`: a preHandler that claims or
 * replays (after auth and schema validation, so a malformed request never claims a key) and an
 * onSend hook that stores the response.
 */
export function installIdempotency(
  app: FastifyInstance,
  db: () => Db,
  /** Stored responses carry personal data (a cart's address, an order's email): encrypted at rest. */
  crypto: () => Promise<FieldCrypto>,
): void {
  app.decorateRequest('idempotency', null);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!UNSAFE.has(request.method) || request.routeOptions.config?.idempotency === false) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new AppError(
        PlatformErrors.VALIDATION_FAILED,
        'Idempotency-Key must be 1-255 printable ASCII characters',
      );
    }
    const claim = { scope: scopeOf(request), key: header };
    const result = await claimIdempotencyKey(db(), {
      ...claim,
      requestHash: requestHash(request.method, request.url, request.body),
    });
    if (result.kind === 'replay') {
      return reply
        .code(result.status)
        .header('content-type', 'application/json; charset=utf-8')
        .header('idempotent-replayed', 'true')
        .send(await (await crypto()).decryptLegacy(result.body));
    }
    request.idempotency = claim;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = null;
    if (reply.statusCode >= 500 || typeof payload !== 'string') await abandonIdempotencyKey(db(), claim);
    else
      await completeIdempotencyKey(
        db(),
        claim,
        reply.statusCode,
        (await crypto()).encrypt(payload),
        resourceOf(request, payload),
      );
    return payload;
  });
}

// Stored responses are fieldCrypto values (older rows may be plaintext): rotation re-encrypts them.
registerEncryptedColumns({ table: 'idempotency_keys', columns: ['response_body'], legacyPlaintext: {} });

export const idempotencyPruneJob: JobDefinition = {
  name: 'idempotency.prune',
  schedule: '23 * * * *',
  run: async ({ db, logger }) => {
    const deleted = await pruneIdempotencyKeys(db, 24 * 3600 * 1000);
    logger.info({ deleted }, 'pruned idempotency keys');
  },
};
