import { type FieldCrypto, normaliseEmail } from '../../platform/crypto/field-crypto.js';
import type { Trx } from '../../platform/db/transaction.js';
import { forgetIdempotentResponses } from '../../platform/http/idempotency.js';
import { CART_EMAIL_INDEX } from './cart.service.js';

/**
 * GDPR erasure of the customer's carts, and of guest carts left with their email (found through the
 * blind index): email and addresses go; lines and amounts (no personal data) stay, and stored
 * Idempotency-Key responses about those carts (a cart or completion body) are deleted. Runs in the
 * erasure's transaction.
 */
export async function anonymiseCarts(
  trx: Trx,
  crypto: FieldCrypto,
  customerId: string,
  email: string,
): Promise<void> {
  const index = crypto.blindIndex(CART_EMAIL_INDEX, normaliseEmail(email));
  const carts = await trx
    .selectFrom('carts')
    .select('id')
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('email_index', '=', index)]))
    .execute();
  await forgetIdempotentResponses(trx, { resourceIds: carts.map((c) => c.id) });
  await trx
    .updateTable('carts')
    .set({ email: null, email_index: null, shipping_address: null, billing_address: null })
    .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('email_index', '=', index)]))
    .execute();
}
