import { inTransaction } from '../../platform/db/transaction.js';
import type { Subscriber } from '../../platform/events/subscribers.js';
import { lockOrder, moveOrder } from './orders.service.js';
import { PAYMENT_MOVES } from './orders.status.js';
import type { PaymentState } from './orders.tables.js';

/**
 * Keeps an order's payment state in step with its payment whenever the payment moves outside the
 * order's own operations: a Stripe or PayPal webhook (captured later, refunded or voided in the
 * provider's dashboard) or staff using the payments API directly. Idempotent: a move the order has
 * already made (same state and, for refunds, the same refunded total), or may not make, is skipped;
 * so the events of the order's own captures and refunds change nothing here.
 */
export const paymentSyncSubscriber: Subscriber = {
  name: 'orders.payment-sync',
  topics: ['payment.captured', 'payment.refunded', 'payment.canceled'],
  handle: async (event, { db }) => {
    const payload = event.payload as { payment_id?: string; source?: string; status?: string };
    if (!payload.payment_id) return;
    const target: PaymentState | undefined =
      event.topic === 'payment.captured'
        ? 'captured'
        : event.topic === 'payment.canceled'
          ? 'canceled'
          : payload.status === 'partially_refunded'
            ? 'partially_refunded'
            : 'refunded';
    const order = await db
      .selectFrom('orders')
      .select('id')
      .where('payment_id', '=', payload.payment_id)
      .executeTakeFirst();
    if (!order) return;
    await inTransaction(db, async (trx) => {
      const locked = await lockOrder(trx, order.id);
      const payment = await trx
        .selectFrom('payments')
        .select(['amount_refunded'])
        .where('id', '=', payload.payment_id!)
        .executeTakeFirst();
      const refunded_total = target.endsWith('refunded')
        ? (payment?.amount_refunded ?? locked.refunded_total)
        : locked.refunded_total;
      const done = locked.payment_status === target && locked.refunded_total === refunded_total;
      if (done || !PAYMENT_MOVES[locked.payment_status].includes(target)) return;
      await moveOrder(trx, locked, {
        payment_status: target,
        refunded_total,
        topic: target === 'captured' ? 'paid' : target === 'canceled' ? 'payment_canceled' : 'refunded',
        message: `Payment ${target.replace('_', ' ')} ${payload.source === 'webhook' ? 'by the provider' : 'through the payments API'}`,
        actor: payload.source === 'webhook' ? 'webhook' : 'payments',
        data: { payment_id: payload.payment_id, event_id: event.id },
      });
    });
  },
};
