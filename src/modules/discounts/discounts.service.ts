import type { Selectable } from 'kysely';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { currencyCode } from '../../platform/money/index.js';
import { DiscountErrors } from './discounts.errors.js';
import type { PromotionTable } from './discounts.tables.js';
import type { Promotion, PromotionConditions, PromotionKind } from './engine.js';

type Row = Selectable<PromotionTable>;

export interface PromotionInput {
  code?: string | null;
  kind: PromotionKind;
  value: number;
  currency_code?: string | null;
  conditions?: PromotionConditions;
  buy_quantity?: number | null;
  get_quantity?: number | null;
  max_applications?: number | null;
  starts_at?: string | null;
  ends_at?: string | null;
  usage_limit?: number | null;
  per_customer_limit?: number | null;
  stacking?: 'exclusive' | 'combinable';
  priority?: number;
  active?: boolean;
}

export type PromotionView = Omit<Promotion, 'active' | 'max_applications'> & {
  active: boolean;
  max_applications: number | null;
  created_at: string;
  updated_at: string;
};

export function toPromotion(row: Row): Promotion {
  return {
    ...row,
    conditions: JSON.parse(row.conditions) as PromotionConditions,
    buy_quantity: row.buy_quantity ?? undefined,
    get_quantity: row.get_quantity ?? undefined,
    active: row.active === 1,
  };
}

export function toView(row: Row): PromotionView {
  return {
    ...toPromotion(row),
    max_applications: row.max_applications,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function validate(input: PromotionInput): string[] {
  const problems: string[] = [];
  if (input.kind === 'percentage' && (input.value < 1 || input.value > 10_000)) {
    problems.push('a percentage value is in basis points between 1 and 10000');
  }
  if (input.kind === 'buy_x_get_y') {
    if (!input.buy_quantity || !input.get_quantity)
      problems.push('buy_x_get_y needs buy_quantity and get_quantity');
    if (input.value < 1 || input.value > 10_000)
      problems.push('buy_x_get_y value is the percentage off (bp, 10000 = free)');
  }
  if (input.kind === 'fixed' && (!input.currency_code || input.value < 1)) {
    problems.push('a fixed amount needs a currency_code and a positive value');
  }
  if (input.conditions?.min_subtotal !== undefined && !input.currency_code) {
    problems.push('a minimum subtotal needs a currency_code');
  }
  if (input.starts_at && input.ends_at && input.starts_at >= input.ends_at)
    problems.push('starts_at must be before ends_at');
  return problems;
}

function normalize(input: PromotionInput) {
  const problems = validate(input);
  if (problems.length > 0) {
    throw new AppError(
      DiscountErrors.INVALID_PROMOTION,
      problems.join('; '),
      problems.map((message) => ({ message })),
    );
  }
  return {
    code: input.code ? input.code.trim().toUpperCase() : null,
    kind: input.kind,
    value: input.value,
    currency_code: input.currency_code ? currencyCode(input.currency_code) : null,
    conditions: JSON.stringify(input.conditions ?? {}),
    buy_quantity: input.buy_quantity ?? null,
    get_quantity: input.get_quantity ?? null,
    max_applications: input.max_applications ?? null,
    starts_at: input.starts_at ?? null,
    ends_at: input.ends_at ?? null,
    usage_limit: input.usage_limit ?? null,
    per_customer_limit: input.per_customer_limit ?? null,
    stacking: input.stacking ?? 'combinable',
    priority: input.priority ?? 0,
    active: input.active === false ? 0 : 1,
  };
}

async function codeTaken(db: DbOrTrx, code: string | null, exceptId?: string): Promise<void> {
  if (!code) return;
  let query = db.selectFrom('promotions').select('id').where('code', '=', code);
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst()) {
    throw new AppError(
      DiscountErrors.PROMOTION_CODE_TAKEN,
      `Code ${code} is already used by another promotion`,
    );
  }
}

export async function createPromotion(db: Db, input: PromotionInput): Promise<PromotionView> {
  const values = normalize(input);
  return inTransaction(db, async (trx) => {
    await codeTaken(trx, values.code);
    const at = now();
    const row: Row = { id: newId('promo'), ...values, usage_count: 0, created_at: at, updated_at: at };
    await trx.insertInto('promotions').values(row).execute();
    await emit(trx, { topic: 'promotion.created', payload: { promotion_id: row.id, code: row.code } });
    return toView(row);
  });
}

export async function getPromotion(db: DbOrTrx, id: string): Promise<PromotionView> {
  const row = await db.selectFrom('promotions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(DiscountErrors.PROMOTION_NOT_FOUND, `Promotion ${id} not found`);
  return toView(row);
}

export async function updatePromotion(
  db: Db,
  id: string,
  patch: Partial<PromotionInput>,
): Promise<PromotionView> {
  return inTransaction(db, async (trx) => {
    const current = await getPromotion(trx, id);
    const merged: PromotionInput = { ...current, ...patch };
    const values = normalize(merged);
    await codeTaken(trx, values.code, id);
    await trx
      .updateTable('promotions')
      .set({ ...values, updated_at: now() })
      .where('id', '=', id)
      .execute();
    await emit(trx, { topic: 'promotion.updated', payload: { promotion_id: id } });
    return getPromotion(trx, id);
  });
}

export async function listPromotions(db: DbOrTrx, query: { limit?: number; cursor?: string }) {
  const limit = query.limit ?? 20;
  const after = decodeCursor(query.cursor, 1);
  let q = db
    .selectFrom('promotions')
    .selectAll()
    .orderBy('id')
    .limit(limit + 1);
  if (after) q = q.where('id', '>', String(after[0]));
  const page = toPage(await q.execute(), limit, (row) => [row.id]);
  return { data: page.data.map(toView), next_cursor: page.next_cursor };
}

/** The promotions that could apply to a cart: every active automatic one plus those with its codes. One query. */
export async function promotionsForCart(db: DbOrTrx, codes: string[]): Promise<Promotion[]> {
  const upper = codes.map((c) => c.trim().toUpperCase());
  const rows = await db
    .selectFrom('promotions')
    .selectAll()
    .where('active', '=', 1)
    .where((eb) =>
      upper.length > 0 ? eb.or([eb('code', 'is', null), eb('code', 'in', upper)]) : eb('code', 'is', null),
    )
    .execute();
  return rows.map(toPromotion);
}

export async function customerUsage(
  db: DbOrTrx,
  customerKey: string | null,
  promotionIds: string[],
): Promise<Map<string, number>> {
  if (!customerKey || promotionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('promotion_usages')
    .select(['promotion_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('customer_key', '=', customerKey)
    .where('promotion_id', 'in', promotionIds)
    .groupBy('promotion_id')
    .execute();
  return new Map(rows.map((r) => [r.promotion_id, Number(r.n)]));
}

export type RedeemResult =
  | { ok: true }
  | { ok: false; promotion_id: string; reason: 'usage_limit_reached' | 'customer_limit_reached' };

/**
 * Counts one use of each promotion for `order_id`, inside the caller's checkout transaction. The
 * conditional increment takes the promotion row's write lock (PostgreSQL) or runs under SQLite's
 * single writer, so concurrent checkouts cannot overshoot the total limit, and the per-customer
 * count that follows is read under that same lock. On a failure the caller rolls back.
 */
export async function redeemPromotions(
  trx: Trx,
  input: { promotion_ids: string[]; customer_key: string | null; order_id: string },
): Promise<RedeemResult> {
  for (const promotionId of [...new Set(input.promotion_ids)].sort()) {
    const counted = await trx
      .updateTable('promotions')
      .set((eb) => ({ usage_count: eb('usage_count', '+', 1) }))
      .where('id', '=', promotionId)
      .where((eb) => eb.or([eb('usage_limit', 'is', null), eb('usage_count', '<', eb.ref('usage_limit'))]))
      .returning(['per_customer_limit'])
      .executeTakeFirst();
    if (!counted) return { ok: false, promotion_id: promotionId, reason: 'usage_limit_reached' };
    if (counted.per_customer_limit !== null) {
      const used = input.customer_key
        ? await trx
            .selectFrom('promotion_usages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('promotion_id', '=', promotionId)
            .where('customer_key', '=', input.customer_key)
            .executeTakeFirstOrThrow()
        : { n: Number.POSITIVE_INFINITY };
      if (Number(used.n) >= counted.per_customer_limit) {
        return { ok: false, promotion_id: promotionId, reason: 'customer_limit_reached' };
      }
    }
    await trx
      .insertInto('promotion_usages')
      .values({
        id: newId('pru'),
        promotion_id: promotionId,
        customer_key: input.customer_key,
        order_id: input.order_id,
        created_at: now(),
      })
      .execute();
  }
  return { ok: true };
}

/** Gives back the uses an order took (its cancellation). Safe to call twice. */
export async function releaseRedemptions(trx: Trx, orderId: string): Promise<void> {
  const usages = await trx
    .selectFrom('promotion_usages')
    .select(['id', 'promotion_id'])
    .where('order_id', '=', orderId)
    .execute();
  for (const usage of usages) {
    await trx.deleteFrom('promotion_usages').where('id', '=', usage.id).execute();
    await trx
      .updateTable('promotions')
      .set((eb) => ({ usage_count: eb('usage_count', '-', 1) }))
      .where('id', '=', usage.promotion_id)
      .where('usage_count', '>', 0)
      .execute();
  }
}

const PROMOTIONS_TAG = 'promotions';

/**
 * The automatic promotions, from the shared cache for 30 s (invalidated on every promotion write), so
 * a cart without codes spends no SQL on discounts. Usage limits are still enforced exactly at checkout
 * by `redeemPromotions`, so a slightly stale usage count can never oversell a promotion.
 */
export async function automaticPromotionsCached(deps: { db: DbOrTrx; cache: Cache }): Promise<Promotion[]> {
  const hit = await deps.cache.get<Promotion[]>('promotions:automatic');
  if (hit) return hit;
  const promotions = await promotionsForCart(deps.db, []);
  await deps.cache.set('promotions:automatic', promotions, { ttlMs: 30_000, tags: [PROMOTIONS_TAG] });
  return promotions;
}

export function invalidatePromotions(cache: Cache): Promise<void> {
  return cache.invalidateTags([PROMOTIONS_TAG]);
}
