// Orders: placed by checkout with sequential numbers; payment and fulfillment state machines,
// fulfillments split by location, shipments, cancellation, returns with refunds, notes and a timeline.
import type { FastifyPluginAsync } from 'fastify';
import { registerEncryptedColumns } from '../../platform/crypto/key-rotation.js';
import { registerReference } from '../../platform/db/references.js';
import { subscribers } from '../../platform/events/subscribers.js';
import type { AppContext } from '../../platform/http/context.js';
import type { StratusModule } from '../index.js';
import { registerErasureHandler, registerExportSection } from '../privacy/index.js';
import { anonymiseOrders, exportOrders } from './orders.privacy.js';
import { ordersRoutes } from './orders.routes.js';
import { ORDER_EMAIL_INDEX } from './orders.service.js';
import { storeOrderRoutes } from './orders.store.routes.js';
import { paymentSyncSubscriber } from './orders.subscribers.js';

export { OrderErrors } from './orders.errors.js';
export { listOrders } from './orders.list.js';
export {
  cancelOrder,
  createFulfillments,
  deliverFulfillment,
  markPaid,
  pickList,
  receiveReturn,
  requestReturn,
  shipFulfillment,
} from './orders.operations.js';
export { addNote, getOrder, getOrderRow, ORDER_EMAIL_INDEX, timeline } from './orders.service.js';
export {
  assertFulfillmentMove,
  assertPaymentMove,
  deriveStatus,
  FULFILLMENT_MOVES,
  PAYMENT_MOVES,
} from './orders.status.js';

// Rotation re-encrypts these, and encrypts (and indexes) rows written before they were encrypted.
registerEncryptedColumns({
  table: 'orders',
  columns: ['email', 'shipping_address', 'billing_address'],
  legacyPlaintext: { emailIndex: { column: 'email_index', source: 'email', purpose: ORDER_EMAIL_INDEX } },
});
// Staff notes in the timeline are encrypted (system entries stay clear): rotation re-encrypts them.
registerEncryptedColumns({ table: 'order_events', columns: ['message'] });

registerExportSection({
  name: 'orders',
  collect: (db, customerId, crypto) => exportOrders(db, crypto, customerId),
});
registerErasureHandler({
  name: 'orders',
  erase: (trx, customerId, { crypto, email }) => anonymiseOrders(trx, crypto, customerId, email),
});

// An order still to be shipped needs its region and shipping option (the provider books the courier).
for (const target of ['region', 'shipping_option'] as const) {
  registerReference({
    target,
    name: 'open orders',
    count: async (trx, id) =>
      Number(
        (
          await trx
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll().as('n'))
            .where(target === 'region' ? 'region_id' : 'shipping_option_id', '=', id)
            .where('canceled_at', 'is', null)
            .where('fulfillment_status', 'in', ['not_fulfilled', 'partially_fulfilled', 'fulfilled'])
            .executeTakeFirstOrThrow()
        ).n,
      ),
  });
}

if (!subscribers.get(paymentSyncSubscriber.name)) subscribers.register(paymentSyncSubscriber);

export { paymentSyncSubscriber } from './orders.subscribers.js';

const routes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, options) => {
  await app.register(ordersRoutes, options);
  await app.register(storeOrderRoutes, options);
};

export const ordersModule: StratusModule = { name: 'orders', routes };
