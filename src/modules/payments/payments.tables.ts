import type { Timestamp } from '../../platform/db/time.js';

export type PaymentStatus =
  | 'pending'
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'canceled'
  | 'failed';

/** One payment attempt for a cart or an order, through one provider. Amounts are minor units. */
export interface PaymentTable {
  id: string;
  reference_type: 'cart' | 'order';
  reference_id: string;
  /** `manual`, `stripe`, `paypal`. */
  provider: string;
  /** Provider-specific: `cash_on_delivery`, `bank_transfer`, `card`, … */
  method: string | null;
  status: PaymentStatus;
  currency_code: string;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  capture_mode: 'automatic' | 'manual';
  /** The provider's id: PaymentIntent id, PayPal order id. Never card data. */
  provider_reference: string | null;
  /** JSON: provider ids needed later (authorization id, capture id); never card data. */
  data: string;
  failure_code: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PaymentRefundTable {
  id: string;
  payment_id: string;
  amount: number;
  reason: string | null;
  provider_reference: string | null;
  created_at: Timestamp;
}

/** Provider webhook deliveries, unique by the provider's event id so a redelivery is a no-op. */
export interface PaymentWebhookEventTable {
  id: string;
  provider: string;
  event_id: string;
  type: string;
  /** JSON text of the verified event. */
  payload: string;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

export interface PaymentsTables {
  payments: PaymentTable;
  payment_refunds: PaymentRefundTable;
  payment_webhook_events: PaymentWebhookEventTable;
}
