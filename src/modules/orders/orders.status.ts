import { AppError } from '../../platform/http/errors.js';
import { OrderErrors } from './orders.errors.js';
import type { FulfillmentState, OrderStatus, PaymentState } from './orders.tables.js';

/**
 * An order moves along two explicit state machines, payment and fulfillment; its visible status is
 * derived from both. Every allowed move is listed here, and `assertMove` refuses anything else.
 */
export const PAYMENT_MOVES: Record<PaymentState, PaymentState[]> = {
  awaiting: ['authorized', 'captured', 'canceled'],
  authorized: ['captured', 'canceled'],
  captured: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  canceled: [],
};

export const FULFILLMENT_MOVES: Record<FulfillmentState, FulfillmentState[]> = {
  not_fulfilled: ['partially_fulfilled', 'fulfilled'],
  partially_fulfilled: ['partially_fulfilled', 'fulfilled', 'shipped'],
  fulfilled: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
};

export function assertPaymentMove(from: PaymentState, to: PaymentState): void {
  if (!PAYMENT_MOVES[from].includes(to)) {
    throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, `Payment cannot go from ${from} to ${to}`);
  }
}

export function assertFulfillmentMove(from: FulfillmentState, to: FulfillmentState): void {
  if (!FULFILLMENT_MOVES[from].includes(to)) {
    throw new AppError(OrderErrors.ORDER_INVALID_TRANSITION, `Fulfillment cannot go from ${from} to ${to}`);
  }
}

export function deriveStatus(order: {
  canceled: boolean;
  payment_status: PaymentState;
  fulfillment_status: FulfillmentState;
}): OrderStatus {
  if (order.canceled) return 'canceled';
  if (order.payment_status === 'refunded') return 'refunded';
  if (order.payment_status === 'partially_refunded') return 'partially_refunded';
  if (order.fulfillment_status !== 'not_fulfilled') return order.fulfillment_status;
  if (order.payment_status === 'captured') return 'paid';
  return 'pending';
}

/** An order can be canceled while nothing has shipped and no money was kept. */
export function cancellable(order: {
  status: OrderStatus;
  fulfillment_status: FulfillmentState;
  payment_status: PaymentState;
}): boolean {
  return (
    order.status !== 'canceled' &&
    ['not_fulfilled', 'partially_fulfilled', 'fulfilled'].includes(order.fulfillment_status) &&
    ['awaiting', 'authorized', 'captured'].includes(order.payment_status)
  );
}
