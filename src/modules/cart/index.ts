// Carts: guest and customer carts bound to a region, line items with price snapshots and stock checks,
// addresses, shipping and discount codes; and the ONE totals engine every amount comes from.
import { registerEncryptedColumns } from '../../platform/crypto/key-rotation.js';
import { registerReference } from '../../platform/db/references.js';
import { after } from '../../platform/db/time.js';
import { registerCustomerLoginHook } from '../identity/index.js';
import type { StratusModule } from '../index.js';
import { registerActiveCartsSource } from '../metering/index.js';
import { registerErasureHandler } from '../privacy/index.js';
import { countActiveCarts } from './cart.activity.js';
import { anonymiseCarts } from './cart.privacy.js';
import { cartRoutes } from './cart.routes.js';
import { CART_EMAIL_INDEX } from './cart.service.js';
import { adoptGuestCart } from './cart-merge.js';

export { cartCaller } from './cart.caller.js';
export { CartErrors } from './cart.errors.js';
export {
  type Address,
  addDiscountCode,
  addLineItem,
  type Cart,
  type CartItem,
  cartView,
  createCart,
  loadCart,
  type PricedCart,
  priceCart,
  removeDiscountCode,
  removeLineItem,
  updateCart,
  updateLineItem,
} from './cart.service.js';
export { adoptGuestCart } from './cart-merge.js';
export { type CartTotals, computeTotals, type TotalsInput, type TotalsLine } from './totals.js';

// Rotation re-encrypts these, and encrypts rows written before they were encrypted.
registerEncryptedColumns({
  table: 'carts',
  columns: ['email', 'shipping_address', 'billing_address'],
  legacyPlaintext: { emailIndex: { column: 'email_index', source: 'email', purpose: CART_EMAIL_INDEX } },
});

registerErasureHandler({
  name: 'carts',
  erase: (trx, customerId, { crypto, email }) => anonymiseCarts(trx, crypto, customerId, email),
});

// Signing in with `cart_id` merges that guest cart into the customer's (identity cannot import us).
registerCustomerLoginHook({
  name: 'cart',
  afterLogin: async (ctx, { customer_id, cart_id }) => ({
    cart_id: await adoptGuestCart({ db: ctx.db }, cart_id, customer_id),
  }),
});

// A shopper's cart changed in the last week, or one checking out, still needs its region and option;
// older open carts are abandoned and simply fail with REGION_NOT_FOUND if they come back.
const ACTIVE_CART_MS = 7 * 24 * 60 * 60_000;
for (const target of ['region', 'shipping_option'] as const) {
  registerReference({
    target,
    name: 'active carts',
    count: async (trx, id) =>
      Number(
        (
          await trx
            .selectFrom('carts')
            .select((eb) => eb.fn.countAll().as('n'))
            .where(target === 'region' ? 'region_id' : 'shipping_option_id', '=', id)
            .where((eb) =>
              eb.or([
                eb('status', '=', 'completing'),
                eb.and([eb('status', '=', 'open'), eb('updated_at', '>=', after(-ACTIVE_CART_MS))]),
              ]),
            )
            .executeTakeFirstOrThrow()
        ).n,
      ),
  });
}

// `stratus_active_carts`: open carts changed in the last hour.
registerActiveCartsSource((db) => countActiveCarts(db));

export const cartModule: StratusModule = { name: 'cart', routes: cartRoutes };
