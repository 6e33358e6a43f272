// Orders: placed by checkout with sequential numbers; payment and fulfillment state machines,
// fulfillments split by location, shipments, cancellation, returns with refunds, notes and a timeline.
import type { FastifyPluginAsync } from 'fastify';
import { subscribers } from '../../platform/events/subscribers.js';
import type { AppContext } from '../../platform/http/context.js';
import type { StratusModule } from '../index.js';
import { registerExportSection } from '../privacy/index.js';
import { exportCustomerOrders } from './orders.customer.js';
import { ordersRoutes } from './orders.routes.js';
import { storeOrdersRoutes } from './orders.store.routes.js';
import { paymentSyncSubscriber } from './orders.subscribers.js';

export { getCustomerOrder, listCustomerOrders } from './orders.customer.js';
export { OrderErrors } from './orders.errors.js';
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
export { addNote, getOrder, getOrderRow, timeline } from './orders.service.js';
export {
  assertFulfillmentMove,
  assertPaymentMove,
  deriveStatus,
  FULFILLMENT_MOVES,
  PAYMENT_MOVES,
} from './orders.status.js';

if (!subscribers.get(paymentSyncSubscriber.name)) subscribers.register(paymentSyncSubscriber);

export { paymentSyncSubscriber } from './orders.subscribers.js';

// A customer's data export includes every order they placed.
registerExportSection({ name: 'orders', collect: exportCustomerOrders });

const routes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, options) => {
  await app.register(ordersRoutes, options);
  await app.register(storeOrdersRoutes, options);
};

export const ordersModule: StratusModule = { name: 'orders', routes };
