import { type FieldCrypto, normaliseEmail } from '../../platform/crypto/field-crypto.js';
import type { Trx } from '../../platform/db/transaction.js';
import { CART_EMAIL_INDEX } from './cart.service.js';

/**
 * GDPR erasure of the customer's carts, and of guest carts left with their email (found through the
 * blind index): email and addresses go; lines and amounts (no personal data) stay. Runs in the
 * erasure's transaction.
 */
export async function anonymiseCarts(
  trx: Trx,
  crypto: FieldCrypto,
  customerId: string,
  email: string,
): Promise<void> {
  const index = crypto.blindIndex(CART_EMAIL_INDEX, normaliseEmail(email));
  await trx
    .updateTable('carts')
    .set({ email: null, email_index: null, shipping_address: null, billing_address: null })
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('email_index', '=', index)]))
    .execute();
}
