import { lockRows } from '../../platform/db/lock.js';
import { now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { CartItem, Deps } from './cart.service.js';

/** The open cart's row, locked; personal fields stay as stored (encrypted), so merging copies them. */
async function lockedOpenCart(trx: Trx, id: string) {
  const row = await lockRows(
    trx,
    trx.selectFrom('carts').selectAll().where('id', '=', id).where('status', '=', 'open'),
  ).executeTakeFirst();
  if (!row) return undefined;
  return {
    ...row,
    items: JSON.parse(row.items) as CartItem[],
    discount_codes: JSON.parse(row.discount_codes) as string[],
  };
}

/**
 * What happens to a guest cart when its shopper signs in (the login route passes `cart_id`):
 *   - the customer has no other open cart in the guest cart's region → the guest cart becomes theirs;
 *   - they have one → the guest lines merge into it (same variant: quantities add up; the customer
 *     cart's email, addresses and shipping win where set; discount codes are united) and the guest
 *     cart is deleted;
 *   - the guest cart is unknown, no longer open, or another customer's → it is left alone.
 * Returns the customer's open cart afterwards (the most recently updated one), or null. One
 * transaction with both carts locked, so a concurrent edit of either cart cannot be lost; emits
 * `cart.merged`. Prices stay the lines' snapshots; checkout re-checks stock as always.
 */
export async function adoptGuestCart(
  deps: Pick<Deps, 'db'>,
  guestCartId: string | null,
  customerId: string,
): Promise<string | null> {
  return inTransaction(deps.db, async (trx) => {
    const latestOwn = async () =>
      (
        await trx
          .selectFrom('carts')
          .select('id')
          .where('customer_id', '=', customerId)
          .where('status', '=', 'open')
          .orderBy('updated_at', 'desc')
          .orderBy('id', 'desc')
          .executeTakeFirst()
      )?.id ?? null;
    const guest = guestCartId ? await lockedOpenCart(trx, guestCartId) : undefined;
    if (!guest || (guest.customer_id !== null && guest.customer_id !== customerId)) return latestOwn();
    if (guest.customer_id === customerId) return guest.id; // a retried login: already adopted
    const own = await trx
      .selectFrom('carts')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('status', '=', 'open')
      .where('region_id', '=', guest.region_id)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const target = own ? await lockedOpenCart(trx, own.id) : undefined;
    const at = now();
    if (!target) {
      await trx
        .updateTable('carts')
        .set({ customer_id: customerId, version: guest.version + 1, updated_at: at })
        .where('id', '=', guest.id)
        .execute();
    } else {
      const items = target.items.map((i) => ({ ...i }));
      for (const line of guest.items) {
        const same = items.find((i) => i.variant_id === line.variant_id);
        if (same) same.quantity += line.quantity;
        else items.push({ ...line });
      }
      await trx
        .updateTable('carts')
        .set({
          items: JSON.stringify(items),
          discount_codes: JSON.stringify([...new Set([...target.discount_codes, ...guest.discount_codes])]),
          ...(target.email ? {} : { email: guest.email, email_index: guest.email_index }),
          shipping_address: target.shipping_address ?? guest.shipping_address,
          billing_address: target.billing_address ?? guest.billing_address,
          shipping_option_id: target.shipping_option_id ?? guest.shipping_option_id,
          version: target.version + 1,
          updated_at: at,
        })
        .where('id', '=', target.id)
        .execute();
      await trx.deleteFrom('carts').where('id', '=', guest.id).execute();
    }
    const cartId = target?.id ?? guest.id;
    await emit(trx, {
      topic: 'cart.merged',
      payload: { cart_id: cartId, guest_cart_id: guest.id, customer_id: customerId, merged_at: at },
    });
    return cartId;
  });
}
