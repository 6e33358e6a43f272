import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../platform/http/errors.js';
import { ShippingErrors } from './shipping.errors.js';

/**
 * A fulfillment provider: how a fulfillment leaves the warehouse. `manual` does nothing (staff enter
 * the carrier and tracking number); `courier` books the shipment with any courier or 3PL that speaks
 * the generic signed-JSON protocol below, and accepts its signed status callbacks.
 *
 * Signature scheme (both directions, like Stripe's): header `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>" with the shared secret>`; a receiver rejects a mismatch or a timestamp older than
 * five minutes.
 *
 * @example
 *   const courier = new CourierProvider({ url: 'https://courier.example/shipments', secret });
 *   const booked = await courier.createShipment({ fulfillment_id, order_number: 1001, items, address });
 */
export interface ShipmentRequest {
  fulfillment_id: string;
  order_id: string;
  order_number: number;
  location_id: string;
  items: { variant_id: string; quantity: number; sku?: string | null }[];
  address: Record<string, unknown>;
}

export interface BookedShipment {
  provider_reference: string | null;
  carrier: string | null;
  tracking_number: string | null;
}

export interface CourierCallback {
  event_id: string;
  fulfillment_id: string;
  status: 'in_transit' | 'delivered';
  carrier?: string;
  tracking_number?: string;
}

export interface FulfillmentProvider {
  readonly id: string;
  createShipment(request: ShipmentRequest): Promise<BookedShipment>;
}

export class ManualFulfillmentProvider implements FulfillmentProvider {
  readonly id = 'manual';
  async createShipment(): Promise<BookedShipment> {
    return { provider_reference: null, carrier: null, tracking_number: null };
  }
}

const TOLERANCE_S = 300;

export function signPayload(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Verifies a `t=…,v1=…` signature over the raw body; throws COURIER_SIGNATURE_INVALID. */
export function verifySignature(
  secret: string,
  body: string,
  header: unknown,
  now = Math.floor(Date.now() / 1000),
): void {
  const invalid = () =>
    new AppError(ShippingErrors.COURIER_SIGNATURE_INVALID, 'Courier signature verification failed');
  if (typeof header !== 'string') throw invalid();
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now - t) > TOLERANCE_S) throw invalid();
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
}

export class CourierProvider implements FulfillmentProvider {
  readonly id = 'courier';

  constructor(private readonly options: { url: string; secret: string; timeoutMs?: number }) {}

  async createShipment(request: ShipmentRequest): Promise<BookedShipment> {
    const body = JSON.stringify({ type: 'shipment.requested', ...request });
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-stratus-signature': signPayload(this.options.secret, body),
          'idempotency-key': request.fulfillment_id,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
      });
    } catch {
      throw new AppError(ShippingErrors.COURIER_UNAVAILABLE, 'The courier could not be reached');
    }
    if (!response.ok)
      throw new AppError(ShippingErrors.COURIER_UNAVAILABLE, `The courier answered ${response.status}`);
    const booked = (await response.json()) as {
      shipment_id?: string;
      carrier?: string;
      tracking_number?: string;
    };
    return {
      provider_reference: booked.shipment_id ?? null,
      carrier: booked.carrier ?? null,
      tracking_number: booked.tracking_number ?? null,
    };
  }

  /** Parses a courier status callback after verifying its signature. */
  parseCallback(rawBody: string, headers: Record<string, string | string[] | undefined>): CourierCallback {
    verifySignature(this.options.secret, rawBody, headers['x-courier-signature']);
    let parsed: Partial<CourierCallback>;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      throw new AppError(ShippingErrors.COURIER_SIGNATURE_INVALID, 'The callback body is not JSON');
    }
    if (
      typeof parsed.event_id !== 'string' ||
      typeof parsed.fulfillment_id !== 'string' ||
      (parsed.status !== 'in_transit' && parsed.status !== 'delivered')
    ) {
      throw new AppError(
        'VALIDATION_FAILED',
        'A callback needs event_id, fulfillment_id and status in_transit|delivered',
      );
    }
    return parsed as CourierCallback;
  }
}

/** COURIER_URL + COURIER_SECRET enable the courier provider; manual is always there. */
export function fulfillmentProvidersFromEnv(env: Record<string, string | undefined> = process.env) {
  const providers = new Map<string, FulfillmentProvider>([['manual', new ManualFulfillmentProvider()]]);
  if (env.COURIER_URL && env.COURIER_SECRET) {
    providers.set('courier', new CourierProvider({ url: env.COURIER_URL, secret: env.COURIER_SECRET }));
  }
  return providers;
}

const bound = new WeakMap<object, Map<string, FulfillmentProvider>>();

/** The fulfillment providers an app uses (from the environment unless a test bound its own). */
export function fulfillmentProvidersFor(ctx: object): Map<string, FulfillmentProvider> {
  let providers = bound.get(ctx);
  if (!providers) {
    providers = fulfillmentProvidersFromEnv();
    bound.set(ctx, providers);
  }
  return providers;
}

export function bindFulfillmentProviders(ctx: object, providers: Map<string, FulfillmentProvider>): void {
  bound.set(ctx, providers);
}
