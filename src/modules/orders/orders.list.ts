import { normaliseEmail } from '../../platform/crypto/field-crypto.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { ORDER_EMAIL_INDEX, type OrderReadDeps, openOrderRow, toOrder } from './orders.service.js';

export interface OrderListFilter {
  limit: number;
  cursor?: string | undefined;
  /** Exact email, matched through the blind index: nothing is decrypted to search. */
  email?: string | undefined;
  /** Only this customer's orders (the storefront's order history). */
  customer_id?: string | undefined;
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
  if (filter.email !== undefined)
    query = query.where(
      'email_index',
      '=',
      deps.crypto.blindIndex(ORDER_EMAIL_INDEX, normaliseEmail(filter.email)),
    );
  if (filter.customer_id !== undefined) query = query.where('customer_id', '=', filter.customer_id);
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
