import type { AppContext } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { ManualProvider } from './manual.provider.js';
import { PaymentErrors } from './payments.errors.js';
import { PayPalProvider } from './paypal.provider.js';
import type { PaymentProvider } from './provider.js';
import { StripeProvider } from './stripe.provider.js';

/** The providers this store has configured, by id. Manual is always there. */
export class PaymentProviders {
  readonly #byId = new Map<string, PaymentProvider>();

  constructor(providers: PaymentProvider[]) {
    for (const provider of providers) this.#byId.set(provider.id, provider);
  }

  get(id: string): PaymentProvider {
    const provider = this.#byId.get(id);
    if (!provider) {
      throw new AppError(PaymentErrors.PAYMENT_PROVIDER_UNKNOWN, `Payment provider ${id} is not configured`);
    }
    return provider;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }
}

/**
 * Providers from the environment: STRIPE_SECRET_KEY + STRIPE_WEBHOOK_SECRET enable Stripe;
 * PAYPAL_CLIENT_ID + PAYPAL_CLIENT_SECRET + PAYPAL_WEBHOOK_ID (+ PAYPAL_API_BASE, live by default)
 * enable PayPal; STRATUS_BANK_DETAILS is shown to buyers choosing bank transfer.
 */
export function paymentProvidersFromEnv(
  env: Record<string, string | undefined> = process.env,
): PaymentProviders {
  const providers: PaymentProvider[] = [new ManualProvider({ bankDetails: env.STRATUS_BANK_DETAILS })];
  if (env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET) {
    providers.push(
      new StripeProvider({
        secretKey: env.STRIPE_SECRET_KEY,
        webhookSecret: env.STRIPE_WEBHOOK_SECRET,
        apiBase: env.STRIPE_API_BASE,
      }),
    );
  }
  if (env.PAYPAL_CLIENT_ID && env.PAYPAL_CLIENT_SECRET && env.PAYPAL_WEBHOOK_ID) {
    providers.push(
      new PayPalProvider({
        clientId: env.PAYPAL_CLIENT_ID,
        clientSecret: env.PAYPAL_CLIENT_SECRET,
        webhookId: env.PAYPAL_WEBHOOK_ID,
        apiBase: env.PAYPAL_API_BASE ?? 'https://api-m.paypal.com',
      }),
    );
  }
  return new PaymentProviders(providers);
}

const bound = new WeakMap<AppContext, PaymentProviders>();

/** The providers an app uses; tests bind their own (pointed at fake servers) before building the app. */
export function paymentProvidersFor(ctx: AppContext): PaymentProviders {
  let providers = bound.get(ctx);
  if (!providers) {
    providers = paymentProvidersFromEnv();
    bound.set(ctx, providers);
  }
  return providers;
}

export function bindPaymentProviders(ctx: AppContext, providers: PaymentProviders): void {
  bound.set(ctx, providers);
}
