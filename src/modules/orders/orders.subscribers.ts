import { inTransaction } from '../../platform/db/transaction.js';
import type { Subscriber } from '../../platform/events/subscribers.js';
import { lockOrder, moveOrder } from './orders.service.js';
import { PAYMENT_MOVES } from './orders.status.js';
import type { PaymentState } from './orders.tables.js';

/**
 * Keeps an order's payment state in step with its payment when the provider moves it on its own
 * (a Stripe or PayPal webhook: captured later, refunded or voided in the provider's dashboard).
 * Idempotent: a move the order has already made, or may not make, is skipped.
 */
export const paymentSyncSubscriber: Subscriber = {
  name: 'orders.payment-sync',
  topics: ['payment.captured', 'payment.refunded', 'payment.canceled'],
  handle: async (event, { db }) => {
    const payload = event.payload as { payment_id?: string; source?: string; status?: string };
    if (payload.source !== 'webhook' || !payload.payment_id) return;
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
      if (locked.payment_status === target || !PAYMENT_MOVES[locked.payment_status].includes(target)) return;
      const payment = await trx
        .selectFrom('payments')
        .select(['amount_refunded'])
        .where('id', '=', payload.payment_id!)
        .executeTakeFirst();
      await moveOrder(trx, locked, {
        payment_status: target,
        refunded_total: target.endsWith('refunded')
          ? (payment?.amount_refunded ?? locked.refunded_total)
          : locked.refunded_total,
        topic: target === 'captured' ? 'paid' : target === 'canceled' ? 'payment_canceled' : 'refunded',
        message: `Payment ${target.replace('_', ' ')} by the provider`,
        actor: 'webhook',
        data: { payment_id: payload.payment_id, event_id: event.id },
      });
    });
  },
};
