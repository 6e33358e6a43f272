import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AppError } from '../../platform/http/errors.js';
import { toMajor } from '../../platform/money/index.js';
import { PaymentErrors } from './payments.errors.js';
import type {
  AuthorizeResult,
  InitiateResult,
  PaymentProvider,
  PaymentSession,
  ProviderWebhookEvent,
  WebhookUpdate,
} from './provider.js';

export interface PayPalOptions {
  clientId: string;
  clientSecret: string;
  /** The webhook id PayPal assigned to our listener; part of every signed message. */
  webhookId: string;
  /** `https://api-m.paypal.com` (live), `https://api-m.sandbox.paypal.com`, or a local fake in tests. */
  apiBase: string;
  timeoutMs?: number;
}

const PAYPAL_CERT_HOST = /(^|\.)paypal\.com$/;

/**
 * PayPal Checkout through the Orders v2 REST API over fetch: the buyer approves the order on PayPal
 * (a redirect; no card data here), then we authorize or capture it. Webhooks are verified offline
 * with PayPal's documented scheme: RSA-SHA256 over `transmission_id|time|webhook_id|crc32(body)`
 * with the certificate at `paypal-cert-url`, which must be served by PayPal (or our configured API).
 */
export class PayPalProvider implements PaymentProvider {
  readonly id = 'paypal';
  #token: { value: string; expiresAt: number } | null = null;
  readonly #certs = new Map<string, KeyObject>();

  constructor(private readonly options: PayPalOptions) {}

  async initiate(session: PaymentSession): Promise<InitiateResult> {
    const order = await this.#request<PayPalOrder>('POST', '/v2/checkout/orders', {
      requestId: `stratus-create-${session.payment_id}`,
      body: {
        intent: session.capture_mode === 'manual' ? 'AUTHORIZE' : 'CAPTURE',
        purchase_units: [{ custom_id: session.payment_id, amount: this.#amount(session, session.amount) }],
      },
    });
    const approve = order.links?.find((l) => l.rel === 'approve' || l.rel === 'payer-action')?.href;
    return { provider_reference: order.id, client_data: { approve_url: approve ?? null }, data: {} };
  }

  async authorize(session: PaymentSession): Promise<AuthorizeResult> {
    const orderId = this.#orderId(session);
    const manual = session.capture_mode === 'manual';
    const response = await this.#send(
      'POST',
      `/v2/checkout/orders/${orderId}/${manual ? 'authorize' : 'capture'}`,
      {
        requestId: `stratus-authorize-${session.payment_id}`,
        body: {},
      },
    );
    if (response.status === 422) {
      const issue = (response.body as PayPalError).details?.[0]?.issue ?? 'UNPROCESSABLE_ENTITY';
      if (issue === 'ORDER_NOT_APPROVED' || issue === 'PAYER_ACTION_REQUIRED') {
        return { outcome: 'requires_action', data: session.data };
      }
      return { outcome: 'declined', code: issue, message: (response.body as PayPalError).message ?? issue };
    }
    const order = this.#ok<PayPalOrder>(response);
    const payments = order.purchase_units?.[0]?.payments;
    if (manual) {
      const authorization = payments?.authorizations?.[0];
      if (!authorization || !['CREATED', 'PENDING'].includes(authorization.status)) {
        return {
          outcome: 'declined',
          code: authorization?.status ?? 'DENIED',
          message: 'PayPal denied the authorization',
        };
      }
      return { outcome: 'authorized', data: { ...session.data, authorization_id: authorization.id } };
    }
    const capture = payments?.captures?.[0];
    if (capture?.status !== 'COMPLETED') {
      if (capture?.status === 'PENDING') {
        return { outcome: 'requires_action', data: { ...session.data, capture_id: capture.id } };
      }
      return {
        outcome: 'declined',
        code: capture?.status ?? 'DECLINED',
        message: 'PayPal declined the capture',
      };
    }
    return { outcome: 'captured', data: { ...session.data, capture_id: capture.id } };
  }

  async capture(session: PaymentSession, amount: number): Promise<{ data: Record<string, unknown> }> {
    const authorizationId = session.data.authorization_id;
    if (typeof authorizationId !== 'string') {
      throw new AppError(PaymentErrors.PAYMENT_INVALID_STATE, 'The PayPal payment has no authorization');
    }
    const capture = await this.#request<{ id: string; status: string }>(
      'POST',
      `/v2/payments/authorizations/${authorizationId}/capture`,
      {
        requestId: `stratus-capture-${session.payment_id}-${amount}`,
        body: { amount: this.#amount(session, amount), final_capture: true },
      },
    );
    if (capture.status !== 'COMPLETED' && capture.status !== 'PENDING') {
      throw new AppError(PaymentErrors.PAYMENT_DECLINED, `PayPal capture is ${capture.status}`);
    }
    return { data: { ...session.data, capture_id: capture.id } };
  }

  async refund(session: PaymentSession, amount: number, refundId: string) {
    const captureId = session.data.capture_id;
    if (typeof captureId !== 'string') {
      throw new AppError(PaymentErrors.PAYMENT_INVALID_STATE, 'The PayPal payment has no capture to refund');
    }
    const refund = await this.#request<{ id: string }>('POST', `/v2/payments/captures/${captureId}/refund`, {
      requestId: `stratus-refund-${refundId}`,
      body: { amount: this.#amount(session, amount), custom_id: refundId },
    });
    return { provider_reference: refund.id };
  }

  async cancel(session: PaymentSession): Promise<void> {
    const authorizationId = session.data.authorization_id;
    // An order never authorized simply expires on PayPal's side; nothing to void.
    if (typeof authorizationId !== 'string') return;
    const response = await this.#send('POST', `/v2/payments/authorizations/${authorizationId}/void`, {
      requestId: `stratus-void-${session.payment_id}`,
    });
    // 422 AUTHORIZATION_ALREADY_VOIDED (a retried compensation) counts as done.
    if (response.status === 422 && JSON.stringify(response.body).includes('ALREADY_VOIDED')) return;
    this.#ok(response);
  }

  async verifyWebhook(rawBody: string, headers: Record<string, string | string[] | undefined>) {
    const header = (name: string) => {
      const value = headers[name];
      return typeof value === 'string' ? value : '';
    };
    const transmissionId = header('paypal-transmission-id');
    const time = header('paypal-transmission-time');
    const signature = header('paypal-transmission-sig');
    const certUrl = header('paypal-cert-url');
    const algorithm = header('paypal-auth-algo');
    const invalid = (why: string) =>
      new AppError(PaymentErrors.WEBHOOK_SIGNATURE_INVALID, `PayPal webhook ${why}`);
    if (!transmissionId || !time || !signature || !certUrl) throw invalid('headers are missing');
    if (algorithm && algorithm !== 'SHA256withRSA') throw invalid('uses an unsupported algorithm');
    const key = await this.#certificate(certUrl).catch(() => {
      throw invalid('certificate could not be loaded from an allowed host');
    });
    const message = `${transmissionId}|${time}|${this.options.webhookId}|${crc32(Buffer.from(rawBody, 'utf8'))}`;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(message);
    if (!verifier.verify(key, signature, 'base64')) throw invalid('signature does not match');
    let event: { id?: unknown; event_type?: unknown };
    try {
      event = JSON.parse(rawBody);
    } catch {
      throw invalid('body is not JSON');
    }
    if (typeof event.id !== 'string' || typeof event.event_type !== 'string')
      throw invalid('is not an event');
    return { event_id: event.id, type: event.event_type, payload: event as Record<string, unknown> };
  }

  interpretWebhook(event: ProviderWebhookEvent): WebhookUpdate | null {
    return interpretPayPalEvent(event);
  }

  #amount(session: PaymentSession, amount: number) {
    return {
      currency_code: session.currency_code.toUpperCase(),
      value: toMajor(amount, session.currency_code),
    };
  }

  #orderId(session: PaymentSession): string {
    if (!session.provider_reference) {
      throw new AppError(PaymentErrors.PAYMENT_INVALID_STATE, 'The payment has no PayPal order yet');
    }
    return session.provider_reference;
  }

  async #certificate(url: string): Promise<KeyObject> {
    const cached = this.#certs.get(url);
    if (cached) return cached;
    const parsed = new URL(url);
    const api = new URL(this.options.apiBase);
    const allowed =
      (parsed.protocol === 'https:' && PAYPAL_CERT_HOST.test(parsed.hostname)) ||
      parsed.origin === api.origin;
    if (!allowed) throw new Error('certificate host not allowed');
    const response = await fetch(parsed, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    if (!response.ok) throw new Error(`certificate fetch answered ${response.status}`);
    const key = createPublicKey(await response.text());
    this.#certs.set(url, key);
    return key;
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > Date.now() + 30_000) return this.#token.value;
    const basic = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64');
    const response = await this.#fetch('/v1/oauth2/token', {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok)
      throw new AppError(PaymentErrors.PAYMENT_PROVIDER_ERROR, 'PayPal refused our credentials');
    const token = (await response.json()) as { access_token: string; expires_in: number };
    this.#token = { value: token.access_token, expiresAt: Date.now() + token.expires_in * 1000 };
    return token.access_token;
  }

  async #send(
    method: string,
    path: string,
    options: { requestId?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: unknown }> {
    const token = await this.#accessToken();
    const response = await this.#fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        prefer: 'return=representation',
        ...(options.requestId ? { 'paypal-request-id': options.requestId } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async #request<T>(
    method: string,
    path: string,
    options: { requestId?: string; body?: unknown },
  ): Promise<T> {
    return this.#ok<T>(await this.#send(method, path, options));
  }

  #ok<T>(response: { status: number; body: unknown }): T {
    if (response.status >= 200 && response.status < 300) return response.body as T;
    if (response.status >= 400 && response.status < 500) {
      const error = response.body as PayPalError | null;
      throw new AppError(
        PaymentErrors.PAYMENT_INVALID_STATE,
        `PayPal refused the request: ${error?.details?.[0]?.issue ?? error?.name ?? response.status}`,
      );
    }
    throw new AppError(PaymentErrors.PAYMENT_PROVIDER_ERROR, `PayPal answered ${response.status}`);
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.options.apiBase), {
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000),
      });
    } catch {
      throw new AppError(PaymentErrors.PAYMENT_PROVIDER_ERROR, 'PayPal could not be reached');
    }
  }
}

interface PayPalOrder {
  id: string;
  status: string;
  links?: { rel: string; href: string }[];
  purchase_units?: {
    payments?: {
      authorizations?: { id: string; status: string }[];
      captures?: { id: string; status: string }[];
    };
  }[];
}

interface PayPalError {
  name?: string;
  message?: string;
  details?: { issue?: string; description?: string }[];
}

/** What a verified PayPal event means for our payment row (pure: the outbox worker runs it). */
export function interpretPayPalEvent(event: ProviderWebhookEvent): WebhookUpdate | null {
  const resource = event.payload.resource as
    | {
        supplementary_data?: { related_ids?: { order_id?: string } };
        amount?: { value?: string; currency_code?: string };
      }
    | undefined;
  const orderId = resource?.supplementary_data?.related_ids?.order_id;
  if (!orderId) return null;
  const status: Record<string, WebhookUpdate['status']> = {
    'PAYMENT.AUTHORIZATION.CREATED': 'authorized',
    'PAYMENT.AUTHORIZATION.VOIDED': 'canceled',
    'PAYMENT.CAPTURE.COMPLETED': 'captured',
    'PAYMENT.CAPTURE.DENIED': 'failed',
    'PAYMENT.CAPTURE.REFUNDED': 'refunded',
  };
  const mapped = status[event.type];
  return mapped ? { provider_reference: orderId, status: mapped } : null;
}
