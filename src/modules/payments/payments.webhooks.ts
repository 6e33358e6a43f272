import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { DeliveredEvent, Subscriber } from '../../platform/events/subscribers.js';
import type { PaymentStatus } from './payments.tables.js';
import { interpretPayPalEvent } from './paypal.provider.js';
import type { PaymentProvider, ProviderWebhookEvent, WebhookUpdate } from './provider.js';
import { interpretStripeEvent } from './stripe.provider.js';

export const WEBHOOK_RECEIVED = 'payment.webhook_received';

/**
 * Records a verified webhook delivery and queues its processing on the outbox, in one transaction.
 * The (provider, event id) pair is unique, so a redelivery changes nothing and queues nothing.
 */
export async function receiveWebhook(
  db: Db,
  provider: PaymentProvider,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
): Promise<{ duplicate: boolean; event_id: string }> {
  if (!provider.verifyWebhook) throw new Error(`provider ${provider.id} has no webhooks`);
  const event = await provider.verifyWebhook(rawBody, headers);
  return inTransaction(db, async (trx) => {
    const id = newId('pwh');
    const inserted = await trx
      .insertInto('payment_webhook_events')
      .values({
        id,
        provider: provider.id,
        event_id: event.event_id,
        type: event.type,
        payload: JSON.stringify(event.payload),
        received_at: now(),
        processed_at: null,
      })
      .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
      .executeTakeFirst();
    const duplicate = Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1;
    if (!duplicate) await emit(trx, { topic: WEBHOOK_RECEIVED, payload: { webhook_event_id: id } });
    return { duplicate, event_id: event.event_id };
  });
}

const interpreters: Record<string, (event: ProviderWebhookEvent) => WebhookUpdate | null> = {
  stripe: interpretStripeEvent,
  paypal: interpretPayPalEvent,
};

/** Which current statuses each webhook outcome may move a payment from: never backwards. */
const FROM: Record<WebhookUpdate['status'], PaymentStatus[]> = {
  authorized: ['pending'],
  captured: ['pending', 'authorized'],
  canceled: ['pending', 'authorized'],
  failed: ['pending'],
  refunded: ['captured', 'partially_refunded'],
};

/** Applies one stored webhook event to its payment; safe to run again (at-least-once delivery). */
export async function processWebhookEvent(db: Db, webhookEventId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const stored = await trx
      .selectFrom('payment_webhook_events')
      .selectAll()
      .where('id', '=', webhookEventId)
      .executeTakeFirst();
    if (!stored || stored.processed_at) return;
    const update = interpreters[stored.provider]?.({
      event_id: stored.event_id,
      type: stored.type,
      payload: JSON.parse(stored.payload),
    });
    if (update) {
      const payment = await trx
        .selectFrom('payments')
        .selectAll()
        .where('provider', '=', stored.provider)
        .where('provider_reference', '=', update.provider_reference)
        .executeTakeFirst();
      if (payment && FROM[update.status].includes(payment.status)) {
        const changes: Record<string, unknown> = { status: update.status, updated_at: now() };
        if (update.status === 'captured') changes.amount_captured = payment.amount;
        if (update.status === 'refunded') {
          const refunded = Math.max(payment.amount_refunded, update.amount ?? payment.amount_captured);
          changes.amount_refunded = refunded;
          changes.status = refunded >= payment.amount_captured ? 'refunded' : 'partially_refunded';
        }
        await trx.updateTable('payments').set(changes).where('id', '=', payment.id).execute();
        await emit(trx, {
          topic: `payment.${update.status}`,
          payload: {
            payment_id: payment.id,
            reference_type: payment.reference_type,
            reference_id: payment.reference_id,
            provider: payment.provider,
            amount: payment.amount,
            currency_code: payment.currency_code,
            status: changes.status,
            source: 'webhook',
          },
        });
      }
    }
    await trx
      .updateTable('payment_webhook_events')
      .set({ processed_at: now() })
      .where('id', '=', webhookEventId)
      .execute();
  });
}

export const webhookSubscriber: Subscriber = {
  name: 'payments.process-webhook',
  topics: [WEBHOOK_RECEIVED],
  handle: async (event: DeliveredEvent, { db }) => {
    await processWebhookEvent(db, String(event.payload.webhook_event_id));
  },
};
