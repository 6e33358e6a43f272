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
