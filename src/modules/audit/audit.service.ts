import { createHash, createHmac } from 'node:crypto';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { redactPersonal } from '../../platform/logging/personal-data.js';
import type { AuditLogTable } from './audit.tables.js';

/** Who did it and from where; routes build it from the request, CLIs and jobs use `systemActor`. */
export interface AuditActor {
  kind: AuditLogTable['actor_kind'];
  id: string | null;
  ip?: string | null;
  user_agent?: string | null;
  request_id?: string | null;
}

export const systemActor: AuditActor = { kind: 'system', id: null };

export interface AuditEntry {
  action: string;
  target_type?: string | null;
  target_id?: string | null;
  before?: object | null;
  after?: object | null;
  outcome?: 'success' | 'failure';
}

const GENESIS = '0'.repeat(64);

let ipKey: Buffer | undefined;

/**
 * Customer and anonymous actors' IPs are kept only as a keyed hash (equal IPs still correlate for
 * abuse investigations), and their user agents not at all: the chain cannot be edited at erasure,
 * so it must never hold a customer's personal data. Staff IPs are kept in clear.
 */
export function setAuditIpKey(key: Buffer): void {
  ipKey = key;
}

function pseudonymousIp(ip: string): string {
  return `hmac:${createHmac('sha256', ipKey ?? Buffer.alloc(32))
    .update(ip)
    .digest('base64url')
    .slice(0, 22)}`;
}
/**
 * Replaces values of personal or secret fields at any depth (the list the logs use too, see
 * `PERSONAL_FIELDS`); keeps ids, flags, amounts and the fact of a change.
 */
export function redact(value: unknown): unknown {
  return redactPersonal(value);
}

type Hashed = Omit<AuditLogTable, 'hash'>;

/** The hash covers every column but itself, in a fixed order, so any edit changes it. */
export function entryHash(row: Hashed): string {
  const fields = [
    row.seq,
    row.id,
    row.at,
    row.actor_kind,
    row.actor_id,
    row.action,
    row.target_type,
    row.target_id,
    row.diff,
    row.ip,
    row.user_agent,
    row.request_id,
    row.outcome,
    row.prev_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/**
 * Appends one entry in the caller's transaction. The head row is locked, so entries form a single
 * chain (each carries the previous entry's hash) even with many writers on many nodes.
 */
export async function recordAudit(trx: Trx, actor: AuditActor, entry: AuditEntry): Promise<void> {
  let head = await lockRows(
    trx,
    trx.selectFrom('audit_head').selectAll().where('id', '=', 1),
  ).executeTakeFirst();
  if (!head) {
    await trx
      .insertInto('audit_head')
      .values({ id: 1, seq: 0, hash: GENESIS })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    head = await lockRows(
      trx,
      trx.selectFrom('audit_head').selectAll().where('id', '=', 1),
    ).executeTakeFirstOrThrow();
  }
  const diff =
    entry.before === undefined && entry.after === undefined
      ? null
      : JSON.stringify({ before: redact(entry.before ?? null), after: redact(entry.after ?? null) });
  const personalActor = actor.kind === 'customer' || actor.kind === 'anonymous';
  const row: Hashed = {
    seq: head.seq + 1,
    id: newId('aud'),
    at: now(),
    actor_kind: actor.kind,
    actor_id: actor.id,
    action: entry.action,
    target_type: entry.target_type ?? null,
    target_id: entry.target_id ?? null,
    diff,
    ip: actor.ip ? (personalActor ? pseudonymousIp(actor.ip) : actor.ip) : null,
    user_agent: personalActor ? null : (actor.user_agent?.slice(0, 512) ?? null),
    request_id: actor.request_id ?? null,
    outcome: entry.outcome ?? 'success',
    prev_hash: head.hash,
  };
  const hash = entryHash(row);
  await trx
    .insertInto('audit_log')
    .values({ ...row, hash })
    .execute();
  await trx.updateTable('audit_head').set({ seq: row.seq, hash }).where('id', '=', 1).execute();
}

/** For events outside a use case's transaction (a failed login): its own small transaction. */
export async function recordAuditNow(db: Db, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await inTransaction(db, (trx) => recordAudit(trx, actor, entry));
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  problems: { seq: number; problem: string }[];
}

/**
 * Walks the whole chain: each row's hash must match its content, link to the previous row's hash,
 * and follow it without a gap; the head must point at the last row. An edited row breaks its own
 * hash; a deleted row leaves a gap and a broken link; a deleted tail disagrees with the head.
 */
export async function verifyAuditChain(db: Db, batchSize = 1000): Promise<VerifyReport> {
  const problems: VerifyReport['problems'] = [];
  let prevHash = GENESIS;
  let prevSeq = 0;
  let entries = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', prevSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      entries++;
      if (row.seq !== prevSeq + 1)
        problems.push({ seq: row.seq, problem: `missing entries after ${prevSeq}` });
      if (row.prev_hash !== prevHash)
        problems.push({ seq: row.seq, problem: 'previous hash does not match' });
      const { hash, ...rest } = row;
      if (entryHash(rest) !== hash)
        problems.push({ seq: row.seq, problem: 'content does not match its hash' });
      prevHash = hash;
      prevSeq = row.seq;
    }
  }
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
  if (head && (head.seq !== prevSeq || head.hash !== prevHash))
    problems.push({ seq: head.seq, problem: 'chain ends before the recorded head (tail deleted or edited)' });
  return { ok: problems.length === 0, entries, problems };
}

export interface AuditSearch {
  action?: string | undefined;
  actor_id?: string | undefined;
  target_id?: string | undefined;
  outcome?: 'success' | 'failure' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** Newest first: entries with seq below this. */
  before_seq?: number | undefined;
  limit: number;
}

export async function searchAudit(db: Db, query: AuditSearch): Promise<AuditLogTable[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (query.action) q = q.where('action', '=', query.action);
  if (query.actor_id) q = q.where('actor_id', '=', query.actor_id);
  if (query.target_id) q = q.where('target_id', '=', query.target_id);
  if (query.outcome) q = q.where('outcome', '=', query.outcome);
  if (query.from) q = q.where('at', '>=', query.from);
  if (query.to) q = q.where('at', '<', query.to);
  if (query.before_seq !== undefined) q = q.where('seq', '<', query.before_seq);
  return q.orderBy('seq', 'desc').limit(query.limit).execute();
}
