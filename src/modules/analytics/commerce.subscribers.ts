import type { Db } from '../../platform/db/database.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import type { DeliveredEvent, Subscriber } from '../../platform/events/subscribers.js';
import type { DimensionColumns } from './analytics.tables.js';
import { DEFAULT_DIMENSIONS, dimensionsOf } from './dimensions.js';
import { markDirty } from './dirty-hours.js';
import { recordBuyerOrder } from './distinct-keys.js';
import { linkVisitorToCustomer } from './identity.js';
import { ensurePartitions } from './partitions.js';

/**
 * Server-side commerce facts from the outbox: purchases and refunds from orders, carts created and
 * completed. These are the contract documented in docs/analytics.md; every handler is idempotent.
 */
export interface OrderPlacedPayload {
  order_id: string;
  order_number?: string | null;
  customer_id: string | null;
  cart_id?: string | null;
  currency_code: string;
  total: number;
  subtotal?: number;
  discount_total?: number;
  tax_total?: number;
  shipping_total?: number;
  items: { variant_id?: string | null; product_id: string; quantity: number; unit_price: number }[];
  placed_at: string;
  region_id?: string | null;
  visitor_id?: string | null;
  session_id?: string | null;
}

export interface OrderRefundedPayload {
  order_id: string;
  amount: number;
  currency_code: string;
  refunded_at: string;
}

export interface CartPayload {
  cart_id: string;
  customer_id?: string | null;
  region_id?: string | null;
  created_at?: string;
  completed_at?: string;
  visitor_id?: string | null;
}

function invalid(topic: string, problem: string): Error {
  return new Error(`${topic} payload ${problem}`);
}

/** The visitor session an order or cart belongs to: the named session, else the visitor's (or customer's) latest. */
async function findSession(
  trx: Trx,
  at: string,
  ref: { session_id?: string | null; visitor_id?: string | null; customer_id?: string | null },
) {
  if (ref.session_id) {
    const named = await trx
      .selectFrom('analytics_sessions')
      .selectAll()
      .where('id', '=', ref.session_id)
      .executeTakeFirst();
    if (named) return named;
  }
  let visitorId = ref.visitor_id ?? null;
  if (!visitorId && ref.customer_id) {
    const linked = await trx
      .selectFrom('analytics_visitors')
      .select('visitor_id')
      .where('customer_id', '=', ref.customer_id)
      .orderBy('last_event_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    visitorId = linked?.visitor_id ?? null;
  }
  if (!visitorId) return undefined;
  return trx
    .selectFrom('analytics_sessions')
    .selectAll()
    .where('visitor_id', '=', visitorId)
    .where('started_at', '<=', at)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function recordOrderPlaced(db: Db, eventId: string, p: OrderPlacedPayload): Promise<void> {
  if (
    typeof p?.order_id !== 'string' ||
    typeof p.placed_at !== 'string' ||
    Number.isNaN(Date.parse(p.placed_at))
  )
    throw invalid('order.placed', 'needs order_id and placed_at');
  if (!Number.isInteger(p.total) || !Array.isArray(p.items))
    throw invalid('order.placed', 'needs integer total and items');
  const placedAt = new Date(p.placed_at).toISOString();
  await ensurePartitions(db, [placedAt]);
  await inTransaction(db, async (trx) => {
    const exists = await trx
      .selectFrom('analytics_orders')
      .select('order_id')
      .where('order_id', '=', p.order_id)
      .executeTakeFirst();
    if (exists) return;
    const session = await findSession(trx, placedAt, p);
    const dims: DimensionColumns = session ? dimensionsOf(session) : { ...DEFAULT_DIMENSIONS };
    if (p.region_id) dims.region_id = p.region_id;
    const currency = p.currency_code.toLowerCase();
    const buyerKey = p.customer_id ?? p.visitor_id ?? session?.visitor_id ?? null;
    await trx
      .insertInto('analytics_orders')
      .values({
        order_id: p.order_id,
        buyer_key: buyerKey,
        event_id: eventId,
        order_number: p.order_number ?? null,
        customer_id: p.customer_id ?? null,
        visitor_id: p.visitor_id ?? session?.visitor_id ?? null,
        session_id: session?.id ?? null,
        cart_id: p.cart_id ?? null,
        currency_code: currency,
        total: p.total,
        subtotal: p.subtotal ?? p.total,
        discount_total: p.discount_total ?? 0,
        tax_total: p.tax_total ?? 0,
        shipping_total: p.shipping_total ?? 0,
        placed_at: placedAt,
        ...dims,
      })
      .execute();
    if (buyerKey) await recordBuyerOrder(trx, currency, buyerKey, placedAt);
    if (p.items.length > 0) {
      await trx
        .insertInto('analytics_order_items')
        .values(
          p.items.map((item, line) => ({
            order_id: p.order_id,
            line,
            product_id: item.product_id,
            variant_id: item.variant_id ?? null,
            quantity: item.quantity,
            unit_price: item.unit_price,
            placed_at: placedAt,
          })),
        )
        .execute();
    }
    const dirty = [placedAt];
    if (session) {
      await trx
        .updateTable('analytics_sessions')
        .set({ has_purchase: 1 })
        .where('id', '=', session.id)
        .execute();
      dirty.push(session.started_at);
      if (p.customer_id) await linkVisitorToCustomer(trx, session.visitor_id, p.customer_id);
    }
    await trx
      .insertInto('analytics_events')
      .values({
        id: `aev_${eventId}`,
        occurred_at: placedAt,
        received_at: new Date().toISOString(),
        name: 'purchase',
        visitor_id: session?.visitor_id ?? p.visitor_id ?? null,
        session_id: session?.id ?? null,
        client_session_id: null,
        customer_id: p.customer_id ?? null,
        channel_id: 'server',
        page: null,
        referrer: null,
        utm_campaign: null,
        currency_code: currency,
        value: p.total,
        items: JSON.stringify(
          p.items.map((i) => ({
            item_id: i.product_id,
            item_variant: i.variant_id ?? undefined,
            price: i.unit_price,
            quantity: i.quantity,
          })),
        ),
        search_term: null,
        search_results: null,
        order_id: p.order_id,
        ...dims,
      })
      .execute();
    await markDirty(trx, dirty);
  });
}

export async function recordOrderRefunded(db: Db, eventId: string, p: OrderRefundedPayload): Promise<void> {
  if (
    typeof p?.order_id !== 'string' ||
    !Number.isInteger(p.amount) ||
    Number.isNaN(Date.parse(p.refunded_at))
  )
    throw invalid('order.refunded', 'needs order_id, integer amount and refunded_at');
  const refundedAt = new Date(p.refunded_at).toISOString();
  await inTransaction(db, async (trx) => {
    const order = await trx
      .selectFrom('analytics_orders')
      .selectAll()
      .where('order_id', '=', p.order_id)
      .executeTakeFirst();
    const inserted = await trx
      .insertInto('analytics_refunds')
      .values({
        event_id: eventId,
        order_id: p.order_id,
        amount: p.amount,
        currency_code: p.currency_code.toLowerCase(),
        refunded_at: refundedAt,
        ...(order ? dimensionsOf(order) : DEFAULT_DIMENSIONS),
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    await markDirty(trx, [refundedAt]);
  });
}

export async function recordCartCreated(db: Db, p: CartPayload): Promise<void> {
  if (typeof p?.cart_id !== 'string' || !p.created_at || Number.isNaN(Date.parse(p.created_at)))
    throw invalid('cart.created', 'needs cart_id and created_at');
  const createdAt = new Date(p.created_at).toISOString();
  await inTransaction(db, async (trx) => {
    const session = await findSession(trx, createdAt, p);
    const dims: DimensionColumns = session ? dimensionsOf(session) : { ...DEFAULT_DIMENSIONS };
    if (p.region_id) dims.region_id = p.region_id;
    const previous = await trx
      .selectFrom('analytics_carts')
      .select('created_at')
      .where('cart_id', '=', p.cart_id)
      .executeTakeFirst();
    // The completion may have arrived first (no ordering between events): it left a placeholder row.
    await trx
      .insertInto('analytics_carts')
      .values({
        cart_id: p.cart_id,
        customer_id: p.customer_id ?? null,
        visitor_id: p.visitor_id ?? session?.visitor_id ?? null,
        created_at: createdAt,
        completed_at: null,
        ...dims,
      })
      .onConflict((oc) =>
        oc.column('cart_id').doUpdateSet({
          created_at: createdAt,
          customer_id: p.customer_id ?? null,
          visitor_id: p.visitor_id ?? session?.visitor_id ?? null,
          ...dims,
        }),
      )
      .execute();
    await markDirty(trx, previous ? [createdAt, previous.created_at] : [createdAt]);
  });
}

export async function recordCartCompleted(db: Db, p: CartPayload): Promise<void> {
  if (typeof p?.cart_id !== 'string' || !p.completed_at || Number.isNaN(Date.parse(p.completed_at)))
    throw invalid('cart.completed', 'needs cart_id and completed_at');
  const completedAt = new Date(p.completed_at).toISOString();
  await inTransaction(db, async (trx) => {
    const cart = await trx
      .selectFrom('analytics_carts')
      .select(['created_at', 'completed_at'])
      .where('cart_id', '=', p.cart_id)
      .executeTakeFirst();
    if (cart?.completed_at) return;
    if (cart) {
      await trx
        .updateTable('analytics_carts')
        .set({ completed_at: completedAt })
        .where('cart_id', '=', p.cart_id)
        .execute();
      await markDirty(trx, [cart.created_at]);
      return;
    }
    await trx
      .insertInto('analytics_carts')
      .values({
        cart_id: p.cart_id,
        customer_id: p.customer_id ?? null,
        visitor_id: p.visitor_id ?? null,
        created_at: completedAt,
        completed_at: completedAt,
        ...DEFAULT_DIMENSIONS,
        ...(p.region_id ? { region_id: p.region_id } : {}),
      })
      .execute();
    await markDirty(trx, [completedAt]);
  });
}

/** Subscriber names are stable: delivery rows refer to them. */
export function commerceSubscribers(): Subscriber[] {
  return [
    {
      name: 'analytics.order_placed',
      topics: ['order.placed'],
      handle: (e: DeliveredEvent, { db }) =>
        recordOrderPlaced(db, e.id, e.payload as unknown as OrderPlacedPayload),
    },
    {
      name: 'analytics.order_refunded',
      topics: ['order.refunded'],
      handle: (e, { db }) => recordOrderRefunded(db, e.id, e.payload as unknown as OrderRefundedPayload),
    },
    {
      name: 'analytics.cart_created',
      topics: ['cart.created'],
      handle: (e, { db }) => recordCartCreated(db, e.payload as unknown as CartPayload),
    },
    {
      name: 'analytics.cart_completed',
      topics: ['cart.completed'],
      handle: (e, { db }) => recordCartCompleted(db, e.payload as unknown as CartPayload),
    },
  ];
}
