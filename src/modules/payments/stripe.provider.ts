import Stripe from 'stripe';
import { AppError } from '../../platform/http/errors.js';
import { PaymentErrors } from './payments.errors.js';
import type {
  AuthorizeResult,
  InitiateResult,
  PaymentProvider,
  PaymentSession,
  ProviderWebhookEvent,
  WebhookUpdate,
} from './provider.js';

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** API endpoint override (tests point it at a local fake): `http://127.0.0.1:12111`. */
  apiBase?: string;
  timeoutMs?: number;
}

/**
 * Stripe through the official SDK and PaymentIntents. The storefront confirms the intent with
 * Stripe.js (card data goes straight to Stripe) or hands us a payment method token to confirm.
 * capture_mode `manual` authorizes now and captures later; `automatic` captures on authorization.
 * Every create call carries an idempotency key derived from our payment id.
 */
export class StripeProvider implements PaymentProvider {
  readonly id = 'stripe';
  readonly #stripe: Stripe;

  constructor(private readonly options: StripeOptions) {
    const base = options.apiBase ? new URL(options.apiBase) : undefined;
    this.#stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 1,
      timeout: options.timeoutMs ?? 20_000,
      telemetry: false,
      ...(base
        ? {
            host: base.hostname,
            port: base.port || (base.protocol === 'https:' ? 443 : 80),
            protocol: base.protocol.replace(':', '') as 'http' | 'https',
          }
        : {}),
    });
  }

  async initiate(session: PaymentSession): Promise<InitiateResult> {
    const intent = await this.#call(() =>
      this.#stripe.paymentIntents.create(
        {
          amount: session.amount,
          currency: session.currency_code,
          capture_method: session.capture_mode === 'manual' ? 'manual' : 'automatic',
          automatic_payment_methods: { enabled: true },
          metadata: { payment_id: session.payment_id },
        },
        { idempotencyKey: `stratus-create-${session.payment_id}` },
      ),
    );
    return {
      provider_reference: intent.id,
      client_data: { client_secret: intent.client_secret },
      data: {},
    };
  }

  async authorize(session: PaymentSession, input: Record<string, unknown>): Promise<AuthorizeResult> {
    const id = this.#intentId(session);
    let intent: Stripe.PaymentIntent;
    try {
      intent =
        typeof input.payment_method === 'string'
          ? await this.#stripe.paymentIntents.confirm(
              id,
              { payment_method: input.payment_method },
              { idempotencyKey: `stratus-confirm-${session.payment_id}` },
            )
          : await this.#stripe.paymentIntents.retrieve(id);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        return {
          outcome: 'declined',
          code: error.decline_code ?? error.code ?? 'card_declined',
          message: error.message,
        };
      }
      throw providerError(error);
    }
    return outcomeOf(intent);
  }

  async capture(session: PaymentSession, amount: number): Promise<{ data: Record<string, unknown> }> {
    const intent = await this.#call(() =>
      this.#stripe.paymentIntents.capture(
        this.#intentId(session),
        { amount_to_capture: amount },
        { idempotencyKey: `stratus-capture-${session.payment_id}-${amount}` },
      ),
    );
    if (intent.status !== 'succeeded') {
      throw new AppError(
        PaymentErrors.PAYMENT_INVALID_STATE,
        `Stripe capture left the intent ${intent.status}`,
      );
    }
    return { data: session.data };
  }

  async refund(session: PaymentSession, amount: number, refundId: string) {
    const refund = await this.#call(() =>
      this.#stripe.refunds.create(
        { payment_intent: this.#intentId(session), amount, metadata: { refund_id: refundId } },
        { idempotencyKey: `stratus-refund-${refundId}` },
      ),
    );
    return { provider_reference: refund.id };
  }

  async cancel(session: PaymentSession): Promise<void> {
    if (!session.provider_reference) return;
    await this.#call(() =>
      this.#stripe.paymentIntents.cancel(
        this.#intentId(session),
        {},
        { idempotencyKey: `stratus-cancel-${session.payment_id}` },
      ),
    );
  }

  async verifyWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>) {
    const signature = headers['stripe-signature'];
    let event: Stripe.Event;
    try {
      if (typeof signature !== 'string') throw new Error('missing Stripe-Signature');
      event = this.#stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret);
    } catch {
      throw new AppError(PaymentErrors.WEBHOOK_SIGNATURE_INVALID, 'Stripe-Signature verification failed');
    }
    return {
      event_id: event.id,
      type: event.type,
      payload: event as unknown as Record<string, unknown>,
    };
  }

  interpretWebhook(event: ProviderWebhookEvent): WebhookUpdate | null {
    return interpretStripeEvent(event);
  }

  #intentId(session: PaymentSession): string {
    if (!session.provider_reference) {
      throw new AppError(PaymentErrors.PAYMENT_INVALID_STATE, 'The payment has no Stripe PaymentIntent yet');
    }
    return session.provider_reference;
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw providerError(error);
    }
  }
}

function outcomeOf(intent: Stripe.PaymentIntent): AuthorizeResult {
  switch (intent.status) {
    case 'requires_capture':
      return { outcome: 'authorized', data: {} };
    case 'succeeded':
      return { outcome: 'captured', data: {} };
    case 'requires_action':
    case 'processing':
    case 'requires_confirmation':
      return { outcome: 'requires_action', data: {} };
    default:
      return {
        outcome: 'declined',
        code: intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? intent.status,
        message: intent.last_payment_error?.message ?? `The payment is ${intent.status}`,
      };
  }
}

function providerError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { statusCode?: number }).statusCode;
  if (error instanceof Stripe.errors.StripeInvalidRequestError && status && status < 500) {
    return new AppError(PaymentErrors.PAYMENT_INVALID_STATE, `Stripe refused the request: ${error.message}`);
  }
  return new AppError(PaymentErrors.PAYMENT_PROVIDER_ERROR, 'Stripe could not be reached or failed');
}

/** What a verified Stripe event means for our payment row (pure: the outbox worker runs it). */
export function interpretStripeEvent(event: ProviderWebhookEvent): WebhookUpdate | null {
  const object = (event.payload.data as { object?: Record<string, unknown> } | undefined)?.object;
  if (!object) return null;
  const status: Record<string, WebhookUpdate['status']> = {
    'payment_intent.amount_capturable_updated': 'authorized',
    'payment_intent.succeeded': 'captured',
    'payment_intent.canceled': 'canceled',
    'payment_intent.payment_failed': 'failed',
  };
  if (event.type in status && typeof object.id === 'string') {
    return { provider_reference: object.id, status: status[event.type]! };
  }
  if (event.type === 'charge.refunded' && typeof object.payment_intent === 'string') {
    return {
      provider_reference: object.payment_intent,
      status: 'refunded',
      amount: Number(object.amount_refunded ?? 0),
    };
  }
  return null;
}
