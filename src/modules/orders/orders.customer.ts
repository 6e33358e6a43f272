import type { DbOrTrx } from '../../platform/db/transaction.js';
import { AppError } from '../../platform/http/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { OrderErrors } from './orders.errors.js';
import { type OrderLineRow, type OrderRow, toOrder } from './orders.service.js';

/** What a customer sees of their order: everything but where the stock was taken from. */
function customerOrder(row: OrderRow, lines: OrderLineRow[]) {
  const { allocations: _internal, ...order } = toOrder(row, lines);
  return order;
}

async function linesOf(db: DbOrTrx, ids: string[]): Promise<Map<string, OrderLineRow[]>> {
  const byOrder = new Map<string, OrderLineRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byOrder;
  const lines = await db
    .selectFrom('order_line_items')
    .selectAll()
    .where('order_id', 'in', ids)
    .orderBy('id')
    .execute();
  for (const line of lines) byOrder.get(line.order_id)?.push(line);
  return byOrder;
}

/** A customer's own orders, newest first, keyset-paginated on the (customer_id, id) index. */
export async function listCustomerOrders(
  db: DbOrTrx,
  customerId: string,
  page: { limit: number; cursor?: string | undefined },
) {
  const after = decodeCursor(page.cursor, 1);
  let query = db
    .selectFrom('orders')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (after) query = query.where('id', '<', String(after[0]));
  const result = toPage(await query.execute(), page.limit, (row) => [row.id]);
  const lines = await linesOf(
    db,
    result.data.map((o) => o.id),
  );
  return {
    data: result.data.map((o) => customerOrder(o, lines.get(o.id) ?? [])),
    next_cursor: result.next_cursor,
  };
}

/** One of the customer's orders; someone else's order is "not found", so ids cannot be probed. */
export async function getCustomerOrder(db: DbOrTrx, customerId: string, orderId: string) {
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!row) throw new AppError(OrderErrors.ORDER_NOT_FOUND, `Order ${orderId} not found`);
  const lines = await linesOf(db, [row.id]);
  return customerOrder(row, lines.get(row.id) ?? []);
}

/** The orders section of a GDPR export: every order of the customer with its lines. */
export async function exportCustomerOrders(db: DbOrTrx, customerId: string) {
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .execute();
  const lines = await linesOf(
    db,
    rows.map((o) => o.id),
  );
  return rows.map((o) => customerOrder(o, lines.get(o.id) ?? []));
}
