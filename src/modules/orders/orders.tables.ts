import type { Timestamp } from '../../platform/db/time.js';

export type PaymentState =
  | 'awaiting'
  | 'authorized'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'canceled';
export type FulfillmentState =
  | 'not_fulfilled'
  | 'partially_fulfilled'
  | 'fulfilled'
  | 'shipped'
  | 'delivered';
/** What staff and customers see, derived from the payment and fulfillment states (see orders.status.ts). */
export type OrderStatus =
  | 'pending'
  | 'paid'
  | 'partially_fulfilled'
  | 'fulfilled'
  | 'shipped'
  | 'delivered'
  | 'canceled'
  | 'partially_refunded'
  | 'refunded';

export interface OrderTable {
  id: string;
  /** Human-readable, sequential: #1001, #1002, … */
  number: number;
  cart_id: string;
  region_id: string;
  currency_code: string;
  customer_id: string | null;
  /** fieldCrypto value (legacy rows: plaintext until `stratus keys rotate`). */
  email: string;
  /** Blind index of the normalised email (HMAC), for staff search; null on legacy and erased rows. */
  email_index: string | null;
  status: OrderStatus;
  payment_status: PaymentState;
  fulfillment_status: FulfillmentState;
  payment_id: string | null;
  /** fieldCrypto values of the JSON addresses (names, phone, street…), encrypted whole. */
  shipping_address: string;
  billing_address: string | null;
  shipping_option_id: string | null;
  tax_inclusive: number;
  subtotal: number;
  discount_total: number;
  shipping_total: number;
  tax_total: number;
  total: number;
  refunded_total: number;
  /** JSON [{ promotion_id, code, kind, amount }]. */
  discounts: string;
  /** JSON [{ variant_id, location_id, quantity }]: where the stock was taken, for fulfillment and pick lists. */
  allocations: string;
  canceled_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderLineItemTable {
  id: string;
  order_id: string;
  variant_id: string;
  product_id: string;
  title: string;
  sku: string | null;
  quantity: number;
  unit_price: number;
  subtotal: number;
  discount_total: number;
  tax_rate_bp: number;
  tax_total: number;
  total: number;
  fulfilled_quantity: number;
  returned_quantity: number;
}

/** The order timeline: every transition, note, payment and shipment, oldest first. */
export interface OrderEventTable {
  id: string;
  order_id: string;
  kind: string;
  message: string;
  /** JSON. */
  data: string;
  actor: string;
  created_at: Timestamp;
}

export interface FulfillmentTable {
  id: string;
  order_id: string;
  location_id: string;
  provider: string;
  status: 'pending' | 'shipped' | 'in_transit' | 'delivered' | 'canceled';
  /** JSON [{ line_item_id, variant_id, quantity }]. */
  items: string;
  carrier: string | null;
  tracking_number: string | null;
  provider_reference: string | null;
  shipped_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrderReturnTable {
  id: string;
  order_id: string;
  status: 'requested' | 'received' | 'canceled';
  /** JSON [{ line_item_id, quantity }]. */
  items: string;
  restock: number;
  refund_amount: number;
  refund_id: string | null;
  reason: string | null;
  created_at: Timestamp;
  received_at: Timestamp | null;
}

export interface OrdersTables {
  orders: OrderTable;
  order_line_items: OrderLineItemTable;
  order_events: OrderEventTable;
  fulfillments: FulfillmentTable;
  order_returns: OrderReturnTable;
}
