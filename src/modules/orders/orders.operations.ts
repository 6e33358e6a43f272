import type { FieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { releaseRedemptions } from '../discounts/index.js';
import { release, restock } from '../inventory/index.js';
import {
  cancelPayment,
  capturePayment,
  getPaymentRow,
  type PaymentProviders,
  refundPayment,
} from '../payments/index.js';
import { type CourierCallback, type FulfillmentProvider, getShippingOption } from '../shipping/index.js';
import { OrderErrors } from './orders.errors.js';
import { getOrder, getOrderRow, lockOrder, moveOrder, orderLines } from './orders.service.js';
import { assertFulfillmentMove, assertPaymentMove, cancellable } from './orders.status.js';

export interface Ops {
  db: Db;
  crypto: FieldCrypto;
  providers: PaymentProviders;
  fulfillment?: Map<string, FulfillmentProvider>;
}

type Allocation = { variant_id: string; location_id: string; quantity: number };

/** Staff mark the order paid: the payment is captured (manual: the money arrived), then `order.paid`. */
export async function markPaid(ops: Ops, orderId: string, actor: string) {
  const order = await getOrderRow(ops.db, orderId);
  if (!order.payment_id) throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, 'The order has no payment');
  if (order.canceled_at) throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, 'The order is canceled');
  assertPaymentMove(order.payment_status, 'captured');
  await capturePayment(ops.db, ops.providers, order.payment_id);
  await inTransaction(ops.db, async (trx) => {
    const locked = await lockOrder(trx, orderId);
    if (locked.payment_status === 'captured') return;
    assertPaymentMove(locked.payment_status, 'captured');
    await moveOrder(trx, locked, {
      payment_status: 'captured',
      topic: 'paid',
      message: 'Payment received',
      actor,
    });
  });
  return getOrder(ops, orderId);
}

/**
 * Cancels an order that has not shipped: the payment is voided (or refunded if captured), committed
 * stock goes back on hand, any live reservation is released and the promotions' uses are returned.
 */
export async function cancelOrder(ops: Ops, orderId: string, actor: string, reason?: string) {
  const order = await getOrderRow(ops.db, orderId);
  if (order.canceled_at) return getOrder(ops, orderId);
  if (!cancellable(order)) {
    throw new AppError(
      OrderErrors.ORDER_INVALID_TRANSITION,
      `An order that is ${order.status} cannot be canceled`,
    );
  }
  let refunded = order.refunded_total;
  let paymentStatus = order.payment_status;
  if (order.payment_id) {
    const payment = await getPaymentRow(ops.db, order.payment_id);
    if (payment.status === 'captured' || payment.status === 'partially_refunded') {
      const left = payment.amount_captured - payment.amount_refunded;
      if (left > 0)
        await refundPayment(ops.db, ops.providers, payment.id, { amount: left, reason: 'order canceled' });
      refunded = payment.amount_captured;
      paymentStatus = 'refunded';
    } else if (payment.status === 'pending' || payment.status === 'authorized') {
      await cancelPayment(ops.db, ops.providers, payment.id);
      paymentStatus = 'canceled';
    }
  }
  await inTransaction(ops.db, async (trx) => {
    const locked = await lockOrder(trx, orderId);
    if (locked.canceled_at) return;
    await restock(trx, {
      reference_type: 'cart',
      reference_id: locked.cart_id,
      actor,
      reason: `order #${locked.number} canceled`,
    });
    await release(trx, {
      reference_type: 'cart',
      reference_id: locked.cart_id,
      actor,
      reason: 'order canceled',
    });
    await releaseRedemptions(trx, orderId);
    if (refunded > locked.refunded_total) {
      await emit(trx, {
        topic: 'order.refunded',
        payload: {
          order_id: locked.id,
          order_number: locked.number,
          amount: refunded - locked.refunded_total,
          currency_code: locked.currency_code,
          refunded_at: now(),
          customer_id: locked.customer_id,
          reason: 'order canceled',
        },
      });
    }
    await moveOrder(trx, locked, {
      canceled: true,
      payment_status: paymentStatus,
      refunded_total: refunded,
      topic: 'canceled',
      message: reason ? `Order canceled: ${reason}` : 'Order canceled',
      actor,
    });
  });
  return getOrder(ops, orderId);
}

/**
 * Fulfills lines from one location. Without a location, the order is split the way its stock was
 * committed: one fulfillment per location that supplied it.
 */
export async function createFulfillments(
  ops: Ops,
  orderId: string,
  input: { location_id?: string; items?: { line_item_id: string; quantity: number }[]; provider?: string },
  actor: string,
) {
  return inTransaction(ops.db, async (trx) => {
    const order = await lockOrder(trx, orderId);
    if (order.canceled_at) throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, 'The order is canceled');
    const lines = await orderLines(trx, orderId);
    const allocations = JSON.parse(order.allocations) as Allocation[];
    const byId = new Map(lines.map((l) => [l.id, l]));
    const requested =
      input.items ?? lines.map((l) => ({ line_item_id: l.id, quantity: l.quantity - l.fulfilled_quantity }));
    const groups = new Map<string, { line_item_id: string; variant_id: string; quantity: number }[]>();
    for (const item of requested) {
      const line = byId.get(item.line_item_id);
      if (!line || item.quantity < 0 || item.quantity > line.quantity - line.fulfilled_quantity) {
        throw new AppError(
          OrderErrors.FULFILLMENT_INVALID,
          `Cannot fulfill ${item.quantity} of line ${item.line_item_id}`,
        );
      }
      if (item.quantity === 0) continue;
      // Split by the locations the stock came from, unless one location was named.
      let left = item.quantity;
      const sources = input.location_id
        ? [{ location_id: input.location_id, quantity: left }]
        : allocations.filter((a) => a.variant_id === line.variant_id);
      for (const source of sources.length ? sources : [{ location_id: 'unassigned', quantity: left }]) {
        const take = Math.min(left, source.quantity);
        if (take <= 0) continue;
        const group = groups.get(source.location_id) ?? [];
        group.push({ line_item_id: line.id, variant_id: line.variant_id, quantity: take });
        groups.set(source.location_id, group);
        left -= take;
      }
      if (left > 0) {
        const group = groups.get(sources[0]?.location_id ?? 'unassigned') ?? [];
        group.push({ line_item_id: line.id, variant_id: line.variant_id, quantity: left });
        groups.set(sources[0]?.location_id ?? 'unassigned', group);
      }
      await trx
        .updateTable('order_line_items')
        .set({ fulfilled_quantity: line.fulfilled_quantity + item.quantity })
        .where('id', '=', line.id)
        .execute();
      line.fulfilled_quantity += item.quantity;
    }
    if (groups.size === 0) throw new AppError(OrderErrors.FULFILLMENT_INVALID, 'Nothing left to fulfill');
    const at = now();
    const created: string[] = [];
    for (const [location_id, items] of groups) {
      const id = newId('ful');
      created.push(id);
      await trx
        .insertInto('fulfillments')
        .values({
          id,
          order_id: orderId,
          location_id,
          provider: input.provider ?? 'manual',
          status: 'pending',
          items: JSON.stringify(items),
          carrier: null,
          tracking_number: null,
          provider_reference: null,
          shipped_at: null,
          delivered_at: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    const complete = lines.every((l) => l.fulfilled_quantity >= l.quantity);
    const to = complete ? 'fulfilled' : 'partially_fulfilled';
    assertFulfillmentMove(order.fulfillment_status, to);
    await moveOrder(trx, order, {
      fulfillment_status: to,
      topic: complete ? 'fulfilled' : 'partially_fulfilled',
      message: `${created.length} fulfillment(s) created`,
      actor,
      data: { fulfillment_ids: created },
    });
    return created;
  });
}

/** Records the carrier and tracking number; when every fulfillment of a fully fulfilled order shipped, the order is shipped. */
export async function shipFulfillment(
  ops: Ops,
  orderId: string,
  fulfillmentId: string,
  input: { carrier: string; tracking_number: string; provider_reference?: string | null },
  actor: string,
) {
  await inTransaction(ops.db, async (trx) => {
    const order = await lockOrder(trx, orderId);
    const fulfillment = await trx
      .selectFrom('fulfillments')
      .selectAll()
      .where('id', '=', fulfillmentId)
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (!fulfillment)
      throw new AppError(OrderErrors.FULFILLMENT_NOT_FOUND, `Fulfillment ${fulfillmentId} not found`);
    if (fulfillment.status !== 'pending') {
      throw new AppError(
        OrderErrors.ORDER_INVALID_TRANSITION,
        `The fulfillment is already ${fulfillment.status}`,
      );
    }
    const at = now();
    await trx
      .updateTable('fulfillments')
      .set({
        status: 'shipped',
        carrier: input.carrier,
        tracking_number: input.tracking_number,
        provider_reference: input.provider_reference ?? null,
        shipped_at: at,
        updated_at: at,
      })
      .where('id', '=', fulfillmentId)
      .execute();
    const pending = await trx
      .selectFrom('fulfillments')
      .select('id')
      .where('order_id', '=', orderId)
      .where('status', '=', 'pending')
      .execute();
    const data = {
      fulfillment_id: fulfillmentId,
      carrier: input.carrier,
      tracking_number: input.tracking_number,
    };
    if (pending.length === 0 && order.fulfillment_status === 'fulfilled') {
      await moveOrder(trx, order, {
        fulfillment_status: 'shipped',
        topic: 'shipped',
        message: `Shipped with ${input.carrier}`,
        actor,
        data,
      });
    } else {
      await moveOrder(trx, order, {
        message: `Shipment ${input.tracking_number} sent with ${input.carrier}`,
        actor,
        data,
      });
    }
  });
  return getOrder(ops, orderId);
}

/** Marks a fulfillment delivered (staff, or a signed courier callback); the order is delivered when all are. */
export async function deliverFulfillment(ops: Ops, orderId: string, fulfillmentId: string, actor: string) {
  await inTransaction(ops.db, async (trx) => {
    const order = await lockOrder(trx, orderId);
    const fulfillment = await trx
      .selectFrom('fulfillments')
      .selectAll()
      .where('id', '=', fulfillmentId)
      .where('order_id', '=', orderId)
      .executeTakeFirst();
    if (!fulfillment)
      throw new AppError(OrderErrors.FULFILLMENT_NOT_FOUND, `Fulfillment ${fulfillmentId} not found`);
    if (fulfillment.status === 'delivered') return;
    if (fulfillment.status !== 'shipped' && fulfillment.status !== 'in_transit') {
      throw new AppError(
        OrderErrors.ORDER_INVALID_TRANSITION,
        `A ${fulfillment.status} fulfillment cannot be delivered`,
      );
    }
    const at = now();
    await trx
      .updateTable('fulfillments')
      .set({ status: 'delivered', delivered_at: at, updated_at: at })
      .where('id', '=', fulfillmentId)
      .execute();
    const open = await trx
      .selectFrom('fulfillments')
      .select('id')
      .where('order_id', '=', orderId)
      .where('status', '!=', 'delivered')
      .where('status', '!=', 'canceled')
      .execute();
    if (open.length === 0 && order.fulfillment_status === 'shipped') {
      await moveOrder(trx, order, {
        fulfillment_status: 'delivered',
        topic: 'delivered',
        message: 'Delivered',
        actor,
        data: { fulfillment_id: fulfillmentId },
      });
    } else {
      await moveOrder(trx, order, {
        message: `Fulfillment ${fulfillmentId} delivered`,
        actor,
        data: { fulfillment_id: fulfillmentId },
      });
    }
  });
  return getOrder(ops, orderId);
}

export async function requestReturn(
  ops: Ops,
  orderId: string,
  input: { items: { line_item_id: string; quantity: number }[]; reason?: string },
  actor: string,
) {
  return inTransaction(ops.db, async (trx) => {
    const order = await lockOrder(trx, orderId);
    if (order.canceled_at) throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, 'The order is canceled');
    const lines = new Map((await orderLines(trx, orderId)).map((l) => [l.id, l]));
    for (const item of input.items) {
      const line = lines.get(item.line_item_id);
      if (!line || item.quantity < 1 || item.quantity > line.fulfilled_quantity - line.returned_quantity) {
        throw new AppError(
          OrderErrors.FULFILLMENT_INVALID,
          `Cannot return ${item.quantity} of line ${item.line_item_id}`,
        );
      }
    }
    const id = newId('ret');
    await trx
      .insertInto('order_returns')
      .values({
        id,
        order_id: orderId,
        status: 'requested',
        items: JSON.stringify(input.items),
        restock: 0,
        refund_amount: 0,
        refund_id: null,
        reason: input.reason ?? null,
        created_at: now(),
        received_at: null,
      })
      .execute();
    await moveOrder(trx, order, {
      message: 'Return requested',
      actor,
      topic: 'return_requested',
      data: { return_id: id },
    });
    return id;
  });
}

/**
 * Receives a return: optionally restocks the units, and refunds through the payment provider. The
 * refund defaults to what the customer paid for those units (line total × returned / ordered).
 */
export async function receiveReturn(
  ops: Ops,
  orderId: string,
  returnId: string,
  input: { restock: boolean; refund_amount?: number },
  actor: string,
) {
  const order = await getOrderRow(ops.db, orderId);
  const ret = await ops.db
    .selectFrom('order_returns')
    .selectAll()
    .where('id', '=', returnId)
    .where('order_id', '=', orderId)
    .executeTakeFirst();
  if (!ret) throw new AppError(OrderErrors.RETURN_NOT_FOUND, `Return ${returnId} not found`);
  if (ret.status !== 'requested')
    throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, `The return is already ${ret.status}`);
  const items = JSON.parse(ret.items) as { line_item_id: string; quantity: number }[];
  const lines = new Map((await orderLines(ops.db, orderId)).map((l) => [l.id, l]));
  const due = items.reduce((sum, item) => {
    const line = lines.get(item.line_item_id)!;
    return sum + Math.floor((line.total * item.quantity) / line.quantity);
  }, 0);
  const amount = Math.min(input.refund_amount ?? due, order.total - order.refunded_total);
  let refundId: string | null = null;
  if (amount > 0 && order.payment_id) {
    refundId = (
      await refundPayment(ops.db, ops.providers, order.payment_id, { amount, reason: `return ${returnId}` })
    ).refund_id;
  }
  await inTransaction(ops.db, async (trx) => {
    const locked = await lockOrder(trx, orderId);
    if (input.restock) {
      await restock(trx, {
        reference_type: 'cart',
        reference_id: locked.cart_id,
        actor,
        reason: `return ${returnId}`,
        lines: items.map((i) => ({
          variant_id: lines.get(i.line_item_id)!.variant_id,
          quantity: i.quantity,
        })),
      });
    }
    for (const item of items) {
      const line = lines.get(item.line_item_id)!;
      await trx
        .updateTable('order_line_items')
        .set({ returned_quantity: line.returned_quantity + item.quantity })
        .where('id', '=', line.id)
        .execute();
    }
    await trx
      .updateTable('order_returns')
      .set({
        status: 'received',
        restock: input.restock ? 1 : 0,
        refund_amount: amount,
        refund_id: refundId,
        received_at: now(),
      })
      .where('id', '=', returnId)
      .execute();
    const refunded = locked.refunded_total + amount;
    const paymentStatus =
      amount === 0 ? locked.payment_status : refunded >= locked.total ? 'refunded' : 'partially_refunded';
    if (amount > 0) assertPaymentMove(locked.payment_status, paymentStatus);
    await moveOrder(trx, locked, {
      payment_status: paymentStatus,
      refunded_total: refunded,
      topic: amount > 0 ? 'refunded' : 'return_received',
      message: amount > 0 ? `Return received, ${amount} refunded` : 'Return received',
      actor,
      data: {
        return_id: returnId,
        refund_amount: amount,
        amount,
        refunded_at: now(),
        restocked: input.restock,
      },
    });
  });
  return getOrder(ops, orderId);
}

/**
 * What to pick at one location: unfulfilled units of open orders whose stock that location supplied,
 * oldest order first (the 500 oldest open orders); `orderId` narrows it to one order.
 */
export async function pickList(db: DbOrTrx, locationId: string, filter: { orderId?: string } = {}) {
  let query = db
    .selectFrom('orders')
    .select(['id', 'number', 'allocations'])
    .where('canceled_at', 'is', null)
    .where('fulfillment_status', 'in', ['not_fulfilled', 'partially_fulfilled']);
  if (filter.orderId) query = query.where('id', '=', filter.orderId);
  const orders = await query.orderBy('id').limit(500).execute();
  const ids = orders.map((o) => o.id);
  const lines = ids.length
    ? await db.selectFrom('order_line_items').selectAll().where('order_id', 'in', ids).execute()
    : [];
  const entries: {
    order_id: string;
    order_number: number;
    variant_id: string;
    sku: string | null;
    title: string;
    quantity: number;
  }[] = [];
  for (const order of orders) {
    const allocations = (JSON.parse(order.allocations) as Allocation[]).filter(
      (a) => a.location_id === locationId,
    );
    for (const allocation of allocations) {
      const line = lines.find((l) => l.order_id === order.id && l.variant_id === allocation.variant_id);
      if (!line) continue;
      const open = Math.min(allocation.quantity, line.quantity - line.fulfilled_quantity);
      if (open > 0)
        entries.push({
          order_id: order.id,
          order_number: order.number,
          variant_id: line.variant_id,
          sku: line.sku,
          title: line.title,
          quantity: open,
        });
    }
  }
  return entries;
}

/** The fulfillment provider of an order: its shipping option's (manual when unknown). */
export async function providerFor(ops: Ops, orderId: string): Promise<string> {
  const order = await getOrderRow(ops.db, orderId);
  if (!order.shipping_option_id) return 'manual';
  const option = await getShippingOption(ops.db, order.shipping_option_id).catch(() => null);
  return option?.provider ?? 'manual';
}

/** Applies a verified courier status callback; repeating one changes nothing. */
export async function applyCourierCallback(ops: Ops, callback: CourierCallback) {
  const fulfillment = await ops.db
    .selectFrom('fulfillments')
    .select(['id', 'order_id', 'status'])
    .where('id', '=', callback.fulfillment_id)
    .executeTakeFirst();
  if (!fulfillment)
    throw new AppError(OrderErrors.FULFILLMENT_NOT_FOUND, `Fulfillment ${callback.fulfillment_id} not found`);
  if (callback.status === 'delivered') {
    return deliverFulfillment(ops, fulfillment.order_id, fulfillment.id, 'courier');
  }
  if (fulfillment.status === 'shipped') {
    await inTransaction(ops.db, async (trx) => {
      const order = await lockOrder(trx, fulfillment.order_id);
      await trx
        .updateTable('fulfillments')
        .set({ status: 'in_transit', updated_at: now() })
        .where('id', '=', fulfillment.id)
        .where('status', '=', 'shipped')
        .execute();
      await moveOrder(trx, order, {
        message: `Fulfillment ${fulfillment.id} in transit`,
        actor: 'courier',
        data: { fulfillment_id: fulfillment.id, event_id: callback.event_id },
      });
    });
  }
  return getOrder(ops, fulfillment.order_id);
}
