import type { Trx } from '../../platform/db/transaction.js';

/**
 * GDPR erasure of the customer's carts: email and addresses go; lines and amounts (no personal data)
 * stay. Runs in the erasure's transaction.
 */
export async function anonymiseCarts(trx: Trx, customerId: string): Promise<void> {
  await trx
    .updateTable('carts')
    .set({ email: null, shipping_address: null, billing_address: null })
    .where('customer_id', '=', customerId)
    .execute();
}
