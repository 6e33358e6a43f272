import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { recordUsage } from '../metering/index.js';
import { ShippingErrors } from '../shipping/index.js';
import { OrderErrors } from './orders.errors.js';
import { type Ops, shipFulfillment } from './orders.operations.js';
import { addTimeline, getOrder, getOrderRow, type OrderRow } from './orders.service.js';
import type { FulfillmentTable } from './orders.tables.js';

/**
 * Books one pending fulfillment with its provider; the courier answers with carrier and tracking and
 * the fulfillment is shipped. When the courier cannot be reached or refuses, the fulfillment stays
 * pending, the failure goes on the order's timeline with `fulfillment.booking_failed`, and
 * COURIER_UNAVAILABLE is thrown: staff retry with POST …/fulfillments/{id}/retry-booking. The
 * request carries the fulfillment id as its Idempotency-Key, so a retry after a lost answer does not
 * book twice at a courier that honours it.
 */
/** Each booking is one outbound signed call to the provider: the `webhook_calls` meter, answered or not. */
async function meterCall(ops: Ops, provider: string): Promise<void> {
  await recordUsage(ops.db, 'webhook_calls', 1, { dimension: provider });
}

async function book(ops: Ops, order: OrderRow, fulfillment: FulfillmentTable, actor: string): Promise<void> {
  const provider = ops.fulfillment?.get(fulfillment.provider);
  if (!provider)
    throw new AppError(
      ShippingErrors.COURIER_UNAVAILABLE,
      `Fulfillment provider ${fulfillment.provider} is not configured on this server`,
    );
  let booked: Awaited<ReturnType<typeof provider.createShipment>>;
  try {
    booked = await provider.createShipment({
      fulfillment_id: fulfillment.id,
      order_id: order.id,
      order_number: order.number,
      location_id: fulfillment.location_id,
      items: (JSON.parse(fulfillment.items) as { variant_id: string; quantity: number }[]).map((i) => ({
        variant_id: i.variant_id,
        quantity: i.quantity,
      })),
      address: JSON.parse((await ops.crypto.decryptLegacy(order.shipping_address)) ?? 'null') as Record<
        string,
        unknown
      >,
    });
  } catch (error) {
    await meterCall(ops, provider.id);
    if (error instanceof AppError && error.code === ShippingErrors.COURIER_UNAVAILABLE) {
      await inTransaction(ops.db, async (trx) => {
        await addTimeline(trx, order.id, {
          kind: 'booking_failed',
          message: `Booking fulfillment ${fulfillment.id} with ${provider.id} failed: ${error.message}`,
          data: { fulfillment_id: fulfillment.id, provider: provider.id },
          actor,
        });
        await emit(trx, {
          topic: 'fulfillment.booking_failed',
          payload: { order_id: order.id, fulfillment_id: fulfillment.id, provider: provider.id },
        });
      });
    }
    throw error;
  }
  await meterCall(ops, provider.id);
  await shipFulfillment(
    ops,
    order.id,
    fulfillment.id,
    {
      carrier: booked.carrier ?? provider.id,
      tracking_number: booked.tracking_number ?? booked.provider_reference ?? fulfillment.id,
      provider_reference: booked.provider_reference,
    },
    actor,
  );
}

async function loadFulfillment(ops: Ops, id: string) {
  return ops.db.selectFrom('fulfillments').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Books each pending fulfillment with its provider (manual ones need no booking). A courier outage
 * leaves the fulfillment pending and throws COURIER_UNAVAILABLE (see book).
 */
export async function dispatchFulfillments(
  ops: Ops,
  orderId: string,
  fulfillmentIds: string[],
  actor: string,
) {
  const order = await getOrderRow(ops.db, orderId);
  for (const id of fulfillmentIds) {
    const fulfillment = await loadFulfillment(ops, id);
    if (fulfillment?.status !== 'pending' || fulfillment.provider === 'manual') continue;
    await book(ops, order, fulfillment, actor);
  }
  return getOrder(ops, orderId);
}

/**
 * Retries the booking of a fulfillment whose courier booking failed. Only a pending, provider-booked
 * (not manual) fulfillment of a live order can be retried: anything else is FULFILLMENT_NOT_RETRYABLE
 * (409), so a retry after a success changes nothing.
 * @throws FULFILLMENT_NOT_FOUND 404, FULFILLMENT_NOT_RETRYABLE 409, COURIER_UNAVAILABLE 502
 */
export async function retryBooking(ops: Ops, orderId: string, fulfillmentId: string, actor: string) {
  const order = await getOrderRow(ops.db, orderId);
  const fulfillment = await loadFulfillment(ops, fulfillmentId);
  if (fulfillment?.order_id !== orderId)
    throw new AppError(OrderErrors.FULFILLMENT_NOT_FOUND, `Fulfillment ${fulfillmentId} not found`);
  if (fulfillment.provider === 'manual')
    throw new AppError(
      OrderErrors.FULFILLMENT_NOT_RETRYABLE,
      'A manual fulfillment is not booked with a provider; add its shipment instead',
    );
  if (fulfillment.status !== 'pending' || order.canceled_at !== null)
    throw new AppError(
      OrderErrors.FULFILLMENT_NOT_RETRYABLE,
      `Fulfillment ${fulfillmentId} is ${order.canceled_at ? 'on a canceled order' : `already ${fulfillment.status}`}`,
    );
  await book(ops, order, fulfillment, actor);
  return getOrder(ops, orderId);
}
