import { now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/http/errors.js';
import { refundPayment } from '../payments/index.js';
import { OrderErrors } from './orders.errors.js';
import type { Ops } from './orders.operations.js';
import { getOrder, getOrderRow, lockOrder, moveOrder } from './orders.service.js';
import { assertPaymentMove } from './orders.status.js';

/**
 * Staff refund part or all of a paid order outside a return (a goodwill refund, a price adjustment):
 * the payment is refunded at the provider first, then the order records it and emits `order.refunded`,
 * which analytics and metering count like a return's refund.
 */
export async function refundOrder(
  ops: Ops,
  orderId: string,
  input: { amount: number; reason?: string | undefined },
  actor: string,
) {
  const order = await getOrderRow(ops.db, orderId);
  if (!order.payment_id) throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, 'The order has no payment');
  const target = order.refunded_total + input.amount >= order.total ? 'refunded' : 'partially_refunded';
  assertPaymentMove(order.payment_status, target);
  const { refund_id } = await refundPayment(ops.db, ops.providers, order.payment_id, {
    amount: input.amount,
    reason: input.reason ?? `order ${order.number}`,
  });
  await inTransaction(ops.db, async (trx) => {
    const locked = await lockOrder(trx, orderId);
    const refunded = locked.refunded_total + input.amount;
    const paymentStatus = refunded >= locked.total ? 'refunded' : 'partially_refunded';
    await moveOrder(trx, locked, {
      payment_status: paymentStatus,
      refunded_total: refunded,
      topic: 'refunded',
      message: input.reason ? `${input.amount} refunded: ${input.reason}` : `${input.amount} refunded`,
      actor,
      data: { refund_id, refund_amount: input.amount, amount: input.amount, refunded_at: now() },
    });
  });
  return getOrder(ops, orderId);
}
