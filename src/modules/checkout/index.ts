// Checkout: completes a cart into an order in explicit, compensated steps (validate, reserve stock,
// authorize payment, create order, commit stock), locked per cart and recoverable after a crash.
import { registerJob } from '../../platform/jobs/registry.js';
import type { StratusModule } from '../index.js';
import { paymentProvidersFromEnv } from '../payments/index.js';
import { checkoutRoutes } from './checkout.routes.js';
import { recoverCheckouts } from './checkout.service.js';

export { CheckoutErrors } from './checkout.errors.js';
export {
  type CheckoutDeps,
  checkoutFaults,
  completeCart,
  type PaymentChoice,
  recoverCheckouts,
} from './checkout.service.js';

registerJob({
  name: 'checkout.recover',
  schedule: '* * * * *',
  run: async ({ db, logger }) => {
    const { recovered } = await recoverCheckouts({ db, providers: paymentProvidersFromEnv() });
    if (recovered.length > 0) logger.warn({ carts: recovered.length }, 'resolved interrupted checkouts');
  },
});

export const checkoutModule: StratusModule = { name: 'checkout', routes: checkoutRoutes };
