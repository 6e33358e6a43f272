/** What the storefront app needs to know about the store's setup; public values only. */
export interface StorefrontSettings {
  /** Shown to Stripe.js in the browser; null hides the card form. */
  stripePublishableKey: string | null;
}

/**
 * STRIPE_PUBLISHABLE_KEY turns the card form on, but only when the Stripe provider is enabled on the
 * server too (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, src/modules/payments/providers.ts): a form
 * with no provider behind it could never be paid.
 */
export function storefrontSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): StorefrontSettings {
  const key = env.STRIPE_PUBLISHABLE_KEY;
  return {
    stripePublishableKey:
      key?.startsWith('pk_') && env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET ? key : null,
  };
}
