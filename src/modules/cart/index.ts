// Carts: guest and customer carts bound to a region, line items with price snapshots and stock checks,
// addresses, shipping and discount codes; and the ONE totals engine every amount comes from.
import { registerCustomerLoginHook } from '../identity/index.js';
import type { StratusModule } from '../index.js';
import { cartRoutes } from './cart.routes.js';
import { adoptGuestCart } from './cart-merge.js';

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

// Signing in with `cart_id` merges that guest cart into the customer's (identity cannot import us).
registerCustomerLoginHook({
  name: 'cart',
  afterLogin: async (ctx, { customer_id, cart_id }) => ({
    cart_id: await adoptGuestCart({ db: ctx.db, cache: ctx.cache }, cart_id, customer_id),
  }),
});

export const cartModule: StratusModule = { name: 'cart', routes: cartRoutes };
