import { loadStripe, type Stripe, type StripeCardElement } from '@stripe/stripe-js';
import { embedded } from '../embedded.js';

/** The publishable key comes from the server (STRIPE_PUBLISHABLE_KEY), embedded in the page it serves. */
export function stripeConfig(): { publishableKey: string } | null {
  const key = embedded<{ stripe_publishable_key?: string | null }>('stratus-config')?.stripe_publishable_key;
  return key ? { publishableKey: key } : null;
}

let mounted: { stripe: Stripe; card: StripeCardElement } | null = null;

/** Loads Stripe.js from Stripe and mounts the card form; rejects when Stripe cannot be reached. */
export async function mountCard(publishableKey: string, host: HTMLElement): Promise<void> {
  const stripe = await Promise.race([
    loadStripe(publishableKey),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Stripe.js timed out')), 8000)),
  ]);
  if (!stripe) throw new Error('Stripe.js is not available');
  const card = stripe.elements().create('card');
  card.mount(host);
  mounted = { stripe, card };
}

/** Confirms the PaymentIntent the server created with the card the shopper typed. */
export async function confirmCard(clientSecret: string): Promise<void> {
  if (!mounted) throw new Error('The card form is not ready');
  const result = await mounted.stripe.confirmCardPayment(clientSecret, {
    payment_method: { card: mounted.card },
  });
  if (result.error) throw new Error(result.error.message ?? 'The card was declined');
}
