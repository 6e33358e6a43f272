import { randomHex } from '../../platform/crypto/random-pool.js';
import type { Trx } from '../../platform/db/transaction.js';

/**
 * Links a visitor's anonymous history to a customer when they log in or place an order: the visitor,
 * their sessions and their events get the customer id (only where none was set, so an earlier link
 * on a shared device is not rewritten).
 */
export async function linkVisitorToCustomer(trx: Trx, visitorId: string, customerId: string): Promise<void> {
  await trx
    .updateTable('analytics_visitors')
    .set({ customer_id: customerId })
    .where('visitor_id', '=', visitorId)
    .execute();
  await trx
    .updateTable('analytics_sessions')
    .set({ customer_id: customerId })
    .where('visitor_id', '=', visitorId)
    .where('customer_id', 'is', null)
    .execute();
  await trx
    .updateTable('analytics_events')
    .set({ customer_id: customerId })
    .where('visitor_id', '=', visitorId)
    .where('customer_id', 'is', null)
    .execute();
}

/**
 * GDPR erasure: behaviour data stays for the aggregates but loses its link to the person. The
 * customer id goes from their visitors, sessions, events, carts and orders, and their buyer key (the
 * customer id) becomes one random pseudonym, so repeat-purchase figures and rollups stay as they were.
 */
export async function unlinkCustomer(trx: Trx, customerId: string): Promise<void> {
  const visitors = (
    await trx
      .selectFrom('analytics_visitors')
      .select('visitor_id')
      .where('customer_id', '=', customerId)
      .execute()
  ).map((v) => v.visitor_id);
  for (const table of ['analytics_sessions', 'analytics_events'] as const) {
    if (visitors.length === 0) break;
    await trx
      .updateTable(table)
      .set({ customer_id: null })
      .where('visitor_id', 'in', visitors)
      .where('customer_id', '=', customerId)
      .execute();
  }
  await trx
    .updateTable('analytics_visitors')
    .set({ customer_id: null })
    .where('customer_id', '=', customerId)
    .execute();
  await trx
    .updateTable('analytics_carts')
    .set({ customer_id: null })
    .where('customer_id', '=', customerId)
    .execute();
  const pseudonym = `erased_${randomHex(16)}`;
  await trx
    .updateTable('analytics_orders')
    .set({ customer_id: null, buyer_key: pseudonym })
    .where('buyer_key', '=', customerId)
    .execute();
  await trx
    .updateTable('analytics_orders')
    .set({ customer_id: null })
    .where('customer_id', '=', customerId)
    .execute();
  await trx
    .updateTable('analytics_buyers')
    .set({ buyer_key: pseudonym })
    .where('buyer_key', '=', customerId)
    .execute();
}
