import type { Selectable } from 'kysely';
import type { FieldCrypto } from '../../platform/crypto/field-crypto.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { OrderErrors } from './orders.errors.js';
import { deriveStatus } from './orders.status.js';
import type { FulfillmentState, OrderLineItemTable, OrderTable, PaymentState } from './orders.tables.js';

export type OrderRow = Selectable<OrderTable>;
export type OrderLineRow = Selectable<OrderLineItemTable>;

/** Blind-index purpose of `orders.email_index` (the normalised email). */
export const ORDER_EMAIL_INDEX = 'order email';

/** What reading an order in clear needs: the database and the context's key ring. */
export interface OrderReadDeps {
  db: DbOrTrx;
  crypto: FieldCrypto;
}

/** The stored row with its personal fields decrypted (legacy plaintext rows pass through). */
export async function openOrderRow(row: OrderRow, crypto: FieldCrypto): Promise<OrderRow> {
  const [email, shipping_address, billing_address] = await Promise.all([
    crypto.decryptLegacy(row.email),
    crypto.decryptLegacy(row.shipping_address),
    crypto.decryptLegacy(row.billing_address),
  ]);
  return { ...row, email: email!, shipping_address: shipping_address!, billing_address };
}

export async function getOrderRow(db: DbOrTrx, id: string): Promise<OrderRow> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(OrderErrors.ORDER_NOT_FOUND, `Order ${id} not found`);
  return row;
}

/** Locks the order row for a state change (FOR UPDATE on PostgreSQL; SQLite holds the write lock). */
export async function lockOrder(trx: Trx, id: string): Promise<OrderRow> {
  const row = await lockRows(
    trx,
    trx.selectFrom('orders').selectAll().where('id', '=', id),
  ).executeTakeFirst();
  if (!row) throw new AppError(OrderErrors.ORDER_NOT_FOUND, `Order ${id} not found`);
  return row;
}

export async function orderLines(db: DbOrTrx, orderId: string): Promise<OrderLineRow[]> {
  return db
    .selectFrom('order_line_items')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
}

/** The payload every order.* event carries: analytics and integrations read only this. */
export function orderEventPayload(
  order: OrderRow,
  lines: Pick<OrderLineRow, 'variant_id' | 'product_id' | 'quantity' | 'unit_price'>[],
  extra: { visitor_id?: string | null; session_id?: string | null } = {},
) {
  return {
    order_id: order.id,
    order_number: order.number,
    cart_id: order.cart_id,
    region_id: order.region_id,
    placed_at: order.created_at,
    total: order.total,
    subtotal: order.subtotal,
    discount_total: order.discount_total,
    tax_total: order.tax_total,
    shipping_total: order.shipping_total,
    ...(extra.visitor_id ? { visitor_id: extra.visitor_id } : {}),
    ...(extra.session_id ? { session_id: extra.session_id } : {}),
    number: order.number,
    customer_id: order.customer_id,
    currency_code: order.currency_code,
    status: order.status,
    totals: {
      subtotal: order.subtotal,
      discount_total: order.discount_total,
      shipping_total: order.shipping_total,
      tax_total: order.tax_total,
      total: order.total,
      refunded_total: order.refunded_total,
    },
    items: lines.map((l) => ({
      variant_id: l.variant_id,
      product_id: l.product_id,
      quantity: l.quantity,
      unit_price: l.unit_price,
    })),
  };
}

export async function addTimeline(
  trx: Trx,
  orderId: string,
  entry: { kind: string; message: string; data?: Record<string, unknown>; actor: string },
): Promise<void> {
  await trx
    .insertInto('order_events')
    .values({
      id: newId('oev'),
      order_id: orderId,
      kind: entry.kind,
      message: entry.message,
      data: JSON.stringify(entry.data ?? {}),
      actor: entry.actor,
      created_at: now(),
    })
    .execute();
}

/**
 * Applies a payment and/or fulfillment move to a locked order, re-derives its status, records the
 * timeline entry and emits `order.<topic>` — all in the caller's transaction.
 */
export async function moveOrder(
  trx: Trx,
  order: OrderRow,
  change: {
    payment_status?: PaymentState;
    fulfillment_status?: FulfillmentState;
    canceled?: boolean;
    refunded_total?: number;
    topic?: string;
    message: string;
    actor: string;
    data?: Record<string, unknown>;
  },
): Promise<OrderRow> {
  const payment_status = change.payment_status ?? order.payment_status;
  const fulfillment_status = change.fulfillment_status ?? order.fulfillment_status;
  const canceled = change.canceled ?? order.canceled_at !== null;
  const next: OrderRow = {
    ...order,
    payment_status,
    fulfillment_status,
    refunded_total: change.refunded_total ?? order.refunded_total,
    status: deriveStatus({ canceled, payment_status, fulfillment_status }),
    canceled_at: canceled ? (order.canceled_at ?? now()) : null,
    updated_at: now(),
  };
  await trx
    .updateTable('orders')
    .set({
      payment_status: next.payment_status,
      fulfillment_status: next.fulfillment_status,
      status: next.status,
      refunded_total: next.refunded_total,
      canceled_at: next.canceled_at,
      updated_at: next.updated_at,
    })
    .where('id', '=', order.id)
    .execute();
  await addTimeline(trx, order.id, {
    kind: change.topic ?? 'updated',
    message: change.message,
    actor: change.actor,
    data: change.data,
  });
  if (change.topic) {
    await emit(trx, {
      topic: `order.${change.topic}`,
      payload: { ...orderEventPayload(next, await orderLines(trx, order.id)), ...change.data },
    });
  }
  return next;
}

/**
 * A staff note on the order. Notes are free text about a person ("called Ada at 555…"), so they are
 * personal data: stored encrypted, unlike the timeline's system entries.
 */
export async function addNote(
  deps: OrderReadDeps,
  orderId: string,
  input: { message: string; actor: string },
): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    await getOrderRow(trx, orderId);
    await addTimeline(trx, orderId, {
      kind: 'note',
      message: deps.crypto.encrypt(input.message),
      actor: input.actor,
    });
    await emit(trx, { topic: 'order.note_added', payload: { order_id: orderId } });
  });
}

/** The order's timeline, oldest first. Placement is read from the order itself (checkout writes no row for it). */
export async function timeline(deps: OrderReadDeps, orderId: string) {
  const { db } = deps;
  const order = await getOrderRow(db, orderId);
  const rows = await db
    .selectFrom('order_events')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
  const placed = {
    id: `${order.id}:placed`,
    order_id: order.id,
    kind: 'placed',
    message: `Order #${order.number} placed`,
    data: { payment_id: order.payment_id, total: order.total, currency_code: order.currency_code },
    actor: 'checkout',
    created_at: order.created_at,
  };
  const entries = await Promise.all(
    rows.map(async (r) => ({
      ...r,
      message: r.kind === 'note' ? ((await deps.crypto.decryptLegacy(r.message)) ?? '') : r.message,
      data: JSON.parse(r.data) as Record<string, unknown>,
    })),
  );
  return [placed, ...entries];
}

/** The API shape of an order whose row is already in clear (see openOrderRow). */
export function toOrder(row: OrderRow, lines: OrderLineRow[]) {
  const { email_index: _index, ...fields } = row;
  return {
    ...fields,
    display_number: `#${row.number}`,
    tax_inclusive: row.tax_inclusive === 1,
    shipping_address: JSON.parse(row.shipping_address) as Record<string, unknown>,
    billing_address: row.billing_address
      ? (JSON.parse(row.billing_address) as Record<string, unknown>)
      : null,
    discounts: JSON.parse(row.discounts) as unknown[],
    allocations: JSON.parse(row.allocations) as {
      variant_id: string;
      location_id: string;
      quantity: number;
    }[],
    items: lines,
  };
}

export async function getOrder(deps: OrderReadDeps, id: string) {
  const [row, lines] = await Promise.all([getOrderRow(deps.db, id), orderLines(deps.db, id)]);
  return toOrder(await openOrderRow(row, deps.crypto), lines);
}
