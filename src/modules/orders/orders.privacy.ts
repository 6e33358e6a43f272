import { type FieldCrypto, normaliseEmail } from '../../platform/crypto/field-crypto.js';
import type { Db } from '../../platform/db/database.js';
import type { Trx } from '../../platform/db/transaction.js';
import { forgetIdempotentResponses } from '../../platform/http/idempotency.js';
import { listOrders } from './orders.list.js';
import { ORDER_EMAIL_INDEX } from './orders.service.js';

/** Every order of the customer, in clear, as the API shows them (GDPR export). */
export async function exportOrders(db: Db, crypto: FieldCrypto, customerId: string) {
  const orders: Awaited<ReturnType<typeof listOrders>>['data'] = [];
  let cursor: string | undefined;
  do {
    const page = await listOrders({ db, crypto }, { limit: 200, cursor, customer_id: customerId });
    orders.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return orders;
}

/**
 * GDPR erasure of the customer's orders, and of guest orders placed with their email (found through
 * the blind index): email, names, street, phone and free text go; amounts, taxes, lines, dates,
 * statuses and the country (which the tax depended on) stay, so the books still add up. Runs in the
 * erasure's transaction.
 */
export async function anonymiseOrders(
  trx: Trx,
  crypto: FieldCrypto,
  customerId: string,
  email: string,
): Promise<void> {
  const index = crypto.blindIndex(ORDER_EMAIL_INDEX, normaliseEmail(email));
  const rows = await trx
    .selectFrom('orders')
    .select(['id', 'shipping_address', 'billing_address'])
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('email_index', '=', index)]))
    .execute();
  const erased = async (stored: string | null) => {
    if (stored === null) return null;
    const address = JSON.parse((await crypto.decryptLegacy(stored))!) as { country_code?: string };
    return crypto.encrypt(JSON.stringify({ erased: true, country_code: address.country_code ?? null }));
  };
  for (const row of rows) {
    await trx
      .updateTable('orders')
      .set({
        email: crypto.encrypt(`erased+${customerId}@invalid`),
        email_index: null,
        shipping_address: (await erased(row.shipping_address))!,
        billing_address: await erased(row.billing_address),
      })
      .where('id', '=', row.id)
      .execute();
  }
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  // Stored Idempotency-Key responses about these orders (staff actions answer with the order).
  await forgetIdempotentResponses(trx, { resourceIds: ids });
  // Staff notes and return reasons are free text that may name the customer.
  await trx
    .updateTable('order_events')
    .set({ message: '[erased]', data: '{}' })
    .where('order_id', 'in', ids)
    .where('kind', '=', 'note')
    .execute();
  await trx.updateTable('order_returns').set({ reason: null }).where('order_id', 'in', ids).execute();
}
