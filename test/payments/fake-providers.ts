import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A local HTTP server standing in for a provider's API: the endpoints we call, with their real shapes. */
export interface FakeServer {
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  /** The next N requests answer 500. */
  failNext(count?: number): void;
  close(): Promise<void>;
}

type Handler = (
  method: string,
  path: string,
  body: string,
  headers: IncomingMessage['headers'],
) => {
  status: number;
  body?: unknown;
};

async function serve(handler: Handler): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  let failures = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
      let answer: { status: number; body?: unknown };
      if (failures > 0) {
        failures--;
        answer = { status: 500, body: { error: { type: 'api_error', message: 'fake outage' } } };
      } else {
        answer = handler(req.method ?? 'GET', url.pathname, body, req.headers);
      }
      if (answer.body === undefined) {
        res.writeHead(answer.status).end();
        return;
      }
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count = 1) {
      failures = count;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Fake Stripe: PaymentIntents create/retrieve/confirm/capture/cancel and refunds, form-encoded like
 * the real API, honouring Idempotency-Key. Test payment methods behave as Stripe's test cards do:
 * pm_card_visa succeeds, pm_card_chargeDeclined is declined (402), pm_card_threeDSecureRequired asks
 * for action.
 */
export async function fakeStripe(): Promise<FakeServer & { intents: Map<string, Record<string, unknown>> }> {
  const intents = new Map<string, Record<string, unknown>>();
  const refunds: Record<string, unknown>[] = [];
  const byKey = new Map<string, { status: number; body?: unknown }>();
  let counter = 0;
  const declined = {
    status: 402,
    body: {
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
      },
    },
  };
  const handler: Handler = (method, pathname, raw, headers) => {
    if (headers.authorization !== 'Bearer sk_test_fake') {
      return { status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key' } } };
    }
    const key =
      typeof headers['idempotency-key'] === 'string' ? `${pathname}:${headers['idempotency-key']}` : null;
    if (key && byKey.has(key)) return byKey.get(key)!;
    const form = new URLSearchParams(raw);
    const answer = route(method, pathname, form);
    if (key) byKey.set(key, answer);
    return answer;
  };
  const route = (
    method: string,
    pathname: string,
    form: URLSearchParams,
  ): { status: number; body?: unknown } => {
    if (method === 'POST' && pathname === '/v1/payment_intents') {
      const id = `pi_fake${++counter}`;
      const intent = {
        id,
        object: 'payment_intent',
        amount: Number(form.get('amount')),
        currency: form.get('currency'),
        capture_method: form.get('capture_method') ?? 'automatic',
        status: 'requires_payment_method',
        client_secret: `${id}_secret_fake`,
        amount_received: 0,
        metadata: { payment_id: form.get('metadata[payment_id]') },
        last_payment_error: null,
      };
      intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const match = pathname.match(/^\/v1\/payment_intents\/([^/]+)(?:\/(confirm|capture|cancel))?$/);
    const intent = match ? intents.get(match[1]!) : undefined;
    if (match && !intent) {
      return {
        status: 404,
        body: {
          error: {
            type: 'invalid_request_error',
            code: 'resource_missing',
            message: 'No such payment_intent',
          },
        },
      };
    }
    if (intent && method === 'GET' && !match![2]) return { status: 200, body: intent };
    if (intent && match![2] === 'confirm') {
      const pm = form.get('payment_method');
      if (pm === 'pm_card_chargeDeclined') {
        intent.status = 'requires_payment_method';
        intent.last_payment_error = declined.body.error;
        return declined;
      }
      if (pm === 'pm_card_threeDSecureRequired') intent.status = 'requires_action';
      else if (intent.capture_method === 'manual') intent.status = 'requires_capture';
      else {
        intent.status = 'succeeded';
        intent.amount_received = intent.amount;
      }
      return { status: 200, body: intent };
    }
    if (intent && match![2] === 'capture') {
      if (intent.status !== 'requires_capture') {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'payment_intent_unexpected_state',
              message: 'This PaymentIntent could not be captured',
            },
          },
        };
      }
      intent.status = 'succeeded';
      intent.amount_received = Number(form.get('amount_to_capture') ?? intent.amount);
      return { status: 200, body: intent };
    }
    if (intent && match![2] === 'cancel') {
      if (intent.status === 'succeeded') {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'payment_intent_unexpected_state',
              message: 'cannot cancel',
            },
          },
        };
      }
      intent.status = 'canceled';
      return { status: 200, body: intent };
    }
    if (method === 'POST' && pathname === '/v1/refunds') {
      const target = intents.get(form.get('payment_intent') ?? '');
      const amount = Number(form.get('amount'));
      const refunded = refunds
        .filter((r) => r.payment_intent === target?.id)
        .reduce((s, r) => s + Number(r.amount), 0);
      if (target?.status !== 'succeeded' || refunded + amount > Number(target.amount_received)) {
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              code: 'charge_already_refunded',
              message: 'Refund exceeds charge',
            },
          },
        };
      }
      const refund = {
        id: `re_fake${++counter}`,
        object: 'refund',
        amount,
        payment_intent: target.id,
        status: 'succeeded',
      };
      refunds.push(refund);
      return { status: 200, body: refund };
    }
    return {
      status: 404,
      body: {
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${pathname})`,
        },
      },
    };
  };
  return Object.assign(await serve(handler), { intents });
}

export interface PayPalKeys {
  privateKeyPem: string;
  certificatePem: string;
}

/** A throwaway RSA key and self-signed certificate, as PayPal signs webhooks with its own. */
export function makeSigningCertificate(): PayPalKeys {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-paypal-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=messageverification.paypal.test',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      privateKeyPem: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      certificatePem: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Fake PayPal: OAuth client credentials, Orders v2 create/authorize/capture, authorization
 * capture/void, capture refund, and the webhook signing certificate. An order for 666.00 is declined
 * (INSTRUMENT_DECLINED); an order is only authorizable after `approve(id)` (the buyer's redirect).
 */
export async function fakePayPal(
  certificatePem: string,
): Promise<FakeServer & { approve(id: string): void }> {
  const orders = new Map<
    string,
    { id: string; intent: string; value: string; currency: string; approved: boolean }
  >();
  const voided = new Set<string>();
  const byRequestId = new Map<string, { status: number; body?: unknown }>();
  let counter = 0;
  const unprocessable = (issue: string) => ({
    status: 422,
    body: {
      name: 'UNPROCESSABLE_ENTITY',
      message: 'The requested action could not be performed.',
      details: [{ issue }],
    },
  });
  const handler: Handler = (method, pathname, raw, headers) => {
    if (pathname === '/certs/signing.pem') return { status: 200, body: certificatePem };
    if (pathname === '/v1/oauth2/token') {
      const expected = `Basic ${Buffer.from('client-id:client-secret').toString('base64')}`;
      if (headers.authorization !== expected || raw !== 'grant_type=client_credentials') {
        return { status: 401, body: { error: 'invalid_client' } };
      }
      return {
        status: 200,
        body: { access_token: 'A21-fake-token', token_type: 'Bearer', expires_in: 32400 },
      };
    }
    if (headers.authorization !== 'Bearer A21-fake-token')
      return { status: 401, body: { name: 'AUTHENTICATION_FAILURE' } };
    const requestId = headers['paypal-request-id'];
    const key = typeof requestId === 'string' ? `${pathname}:${requestId}` : null;
    if (key && byRequestId.has(key)) return byRequestId.get(key)!;
    const answer = route(method, pathname, raw ? JSON.parse(raw) : {});
    // Only successful results replay: a request refused (not approved yet) may be sent again.
    if (key && answer.status < 300) byRequestId.set(key, answer);
    return answer;
  };
  const route = (
    method: string,
    pathname: string,
    // biome-ignore lint/suspicious/noExplicitAny: the fake reads PayPal JSON loosely, as the real API would accept it
    body: Record<string, any>,
  ): { status: number; body?: unknown } => {
    if (method === 'POST' && pathname === '/v2/checkout/orders') {
      const id = `ORDER-${++counter}`;
      const unit = body.purchase_units[0];
      orders.set(id, {
        id,
        intent: body.intent,
        value: unit.amount.value,
        currency: unit.amount.currency_code,
        approved: false,
      });
      return {
        status: 201,
        body: {
          id,
          status: 'CREATED',
          links: [{ rel: 'approve', href: `https://www.paypal.test/checkoutnow?token=${id}`, method: 'GET' }],
        },
      };
    }
    const orderAction = pathname.match(/^\/v2\/checkout\/orders\/([^/]+)\/(authorize|capture)$/);
    if (orderAction) {
      const order = orders.get(orderAction[1]!);
      if (!order) return { status: 404, body: { name: 'RESOURCE_NOT_FOUND' } };
      if (!order.approved) return unprocessable('ORDER_NOT_APPROVED');
      if (order.value === '666.00') return unprocessable('INSTRUMENT_DECLINED');
      const amount = { value: order.value, currency_code: order.currency };
      const payments =
        orderAction[2] === 'authorize'
          ? { authorizations: [{ id: `AUTH-${++counter}`, status: 'CREATED', amount }] }
          : { captures: [{ id: `CAP-${++counter}`, status: 'COMPLETED', amount }] };
      return { status: 201, body: { id: order.id, status: 'COMPLETED', purchase_units: [{ payments }] } };
    }
    const authorization = pathname.match(/^\/v2\/payments\/authorizations\/([^/]+)\/(capture|void)$/);
    if (authorization) {
      if (voided.has(authorization[1]!)) return unprocessable('AUTHORIZATION_ALREADY_VOIDED');
      if (authorization[2] === 'void') {
        voided.add(authorization[1]!);
        return { status: 204 };
      }
      return { status: 201, body: { id: `CAP-${++counter}`, status: 'COMPLETED' } };
    }
    const refund = pathname.match(/^\/v2\/payments\/captures\/([^/]+)\/refund$/);
    if (refund)
      return { status: 201, body: { id: `REF-${++counter}`, status: 'COMPLETED', amount: body.amount } };
    return { status: 404, body: { name: 'RESOURCE_NOT_FOUND' } };
  };
  const server = await serve(handler);
  return Object.assign(server, {
    approve(id: string) {
      const order = orders.get(id);
      if (order) order.approved = true;
    },
  });
}
