import { normaliseEmail } from '../../platform/crypto/field-crypto.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { ORDER_EMAIL_INDEX, type OrderReadDeps, openOrderRow, toOrder } from './orders.service.js';
import type { FulfillmentState, OrderStatus, PaymentState } from './orders.tables.js';

export interface OrderListFilter {
  limit: number;
  cursor?: string | undefined;
  /** Exact email, matched through the blind index: nothing is decrypted to search. */
  email?: string | undefined;
  /** Only this customer's orders (the storefront's order history). */
  customer_id?: string | undefined;
  status?: OrderStatus | undefined;
  payment_status?: PaymentState | undefined;
  fulfillment_status?: FulfillmentState | undefined;
  /** ISO date-times: placed at or after `created_from`, before `created_to`. */
  created_from?: string | undefined;
  created_to?: string | undefined;
  /** An order number (`#1001` or `1001`) or an exact email (through the blind index). */
  q?: string | undefined;
}

/**
 * One keyset page of orders, newest first, with their lines: two statements per page. Only the
 * page's rows are decrypted (a filter never decrypts).
 */
export async function listOrders(deps: OrderReadDeps, filter: OrderListFilter) {
  const after = decodeCursor(filter.cursor, 1);
  let query = deps.db
    .selectFrom('orders')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (after) query = query.where('id', '<', String(after[0]));
  const term = filter.q?.trim().replace(/^#/, '');
  const number = term && /^[0-9]{1,12}$/.test(term) ? Number(term) : undefined;
  const email = filter.email ?? (term && number === undefined ? term : undefined);
  if (email !== undefined)
    query = query.where('email_index', '=', deps.crypto.blindIndex(ORDER_EMAIL_INDEX, normaliseEmail(email)));
  if (number !== undefined) query = query.where('number', '=', number);
  if (filter.customer_id !== undefined) query = query.where('customer_id', '=', filter.customer_id);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.payment_status) query = query.where('payment_status', '=', filter.payment_status);
  if (filter.fulfillment_status) query = query.where('fulfillment_status', '=', filter.fulfillment_status);
  if (filter.created_from)
    query = query.where('created_at', '>=', new Date(filter.created_from).toISOString());
  if (filter.created_to) query = query.where('created_at', '<', new Date(filter.created_to).toISOString());
  const page = toPage(await query.execute(), filter.limit, (row) => [row.id]);
  const ids = page.data.map((o) => o.id);
  const lines = ids.length
    ? await deps.db
        .selectFrom('order_line_items')
        .selectAll()
        .where('order_id', 'in', ids)
        .orderBy('id')
        .execute()
    : [];
  const data = await Promise.all(
    page.data.map(async (row) =>
      toOrder(
        await openOrderRow(row, deps.crypto),
        lines.filter((l) => l.order_id === row.id),
      ),
    ),
  );
  return { data, next_cursor: page.next_cursor };
}
