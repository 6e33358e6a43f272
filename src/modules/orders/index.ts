// Orders: placed by checkout with sequential numbers; payment and fulfillment state machines,
// fulfillments split by location, shipments, cancellation, returns with refunds, notes and a timeline.
import { subscribers } from '../../platform/events/subscribers.js';
import type { StratusModule } from '../index.js';
import { ordersRoutes } from './orders.routes.js';
import { paymentSyncSubscriber } from './orders.subscribers.js';

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

export const ordersModule: StratusModule = { name: 'orders', routes: ordersRoutes };
