// Payments: the provider interface (manual, Stripe, PayPal), payment records with authorize,
// capture, refund and cancel, and provider webhooks verified, deduplicated and processed via the outbox.
import { subscribers } from '../../platform/events/subscribers.js';
import type { StratusModule } from '../index.js';
import { paymentsRoutes } from './payments.routes.js';
import { webhookSubscriber } from './payments.webhooks.js';

export { MANUAL_METHODS, ManualProvider } from './manual.provider.js';
export { PaymentErrors } from './payments.errors.js';
export {
  type AuthorizeOutcome,
  authorizePayment,
  cancelPayment,
  capturePayment,
  getPaymentRow,
  type InitiateInput,
  initiateAndAuthorize,
  initiatePayment,
  listPayments,
  type Payment,
  refundPayment,
  toPayment,
} from './payments.service.js';
export { processWebhookEvent, receiveWebhook } from './payments.webhooks.js';
export { type PayPalOptions, PayPalProvider } from './paypal.provider.js';
export type { PaymentProvider, PaymentSession } from './provider.js';
export {
  bindPaymentProviders,
  PaymentProviders,
  paymentProvidersFor,
  paymentProvidersFromEnv,
} from './providers.js';
export { type StripeOptions, StripeProvider } from './stripe.provider.js';

if (!subscribers.get(webhookSubscriber.name)) subscribers.register(webhookSubscriber);

export const paymentsModule: StratusModule = { name: 'payments', routes: paymentsRoutes };
