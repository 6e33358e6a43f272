/**
 * A payment provider: the swappable policy behind every payment. Card data never reaches Stratus:
 * the storefront collects it with the provider's own widget or redirect and hands us only tokens
 * and the provider's ids (PCI DSS scope note in docs/security.md).
 *
 * Expected outcomes (a decline) are values; a provider outage throws PAYMENT_PROVIDER_ERROR.
 *
 * @example
 *   const providers = new PaymentProviders([new ManualProvider(), new StripeProvider({ secretKey, webhookSecret })]);
 *   const session = await providers.get('stripe').initiate({ payment_id, amount: 1299, currency_code: 'eur', capture_mode: 'manual' });
 */
export interface PaymentSession {
  payment_id: string;
  amount: number;
  currency_code: string;
  capture_mode: 'automatic' | 'manual';
  method: string | null;
  provider_reference: string | null;
  /** Provider ids stored between calls (authorization id, capture id). */
  data: Record<string, unknown>;
}

export interface InitiateResult {
  provider_reference: string | null;
  /** Handed to the storefront: Stripe client_secret, PayPal approve URL, bank transfer reference. */
  client_data: Record<string, unknown>;
  data: Record<string, unknown>;
}

export type AuthorizeResult =
  | { outcome: 'authorized' | 'captured'; data: Record<string, unknown> }
  /** The buyer still has to act (3-D Secure, PayPal approval). */
  | { outcome: 'requires_action'; data: Record<string, unknown> }
  | { outcome: 'declined'; code: string; message: string };

export interface ProviderWebhookEvent {
  event_id: string;
  type: string;
  payload: Record<string, unknown>;
}

/** What a verified webhook event means for our payment row, if anything. */
export interface WebhookUpdate {
  provider_reference: string;
  status: 'authorized' | 'captured' | 'canceled' | 'failed' | 'refunded';
  amount?: number;
}

export interface PaymentProvider {
  readonly id: string;
  initiate(session: PaymentSession): Promise<InitiateResult>;
  /** `input` carries what the storefront got from the provider (a payment method token, an approval). */
  authorize(session: PaymentSession, input: Record<string, unknown>): Promise<AuthorizeResult>;
  capture(session: PaymentSession, amount: number): Promise<{ data: Record<string, unknown> }>;
  refund(
    session: PaymentSession,
    amount: number,
    refundId: string,
  ): Promise<{ provider_reference: string | null }>;
  /** Voids an authorization that will never be captured (a failed checkout's compensation). */
  cancel(session: PaymentSession): Promise<void>;
  /** Verifies a webhook delivery from the raw body and headers; throws WEBHOOK_SIGNATURE_INVALID. */
  verifyWebhook?(
    rawBody: string,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<ProviderWebhookEvent>;
  /** Maps a verified event to a payment update; pure, so the outbox worker can run it later. */
  interpretWebhook?(event: ProviderWebhookEvent): WebhookUpdate | null;
}
