// Shipping: options per region (flat, free above a threshold, weight tables) priced for a cart, and
// the fulfillment providers (manual, generic courier with signed requests and callbacks).
import type { StratusModule } from '../index.js';
import { shippingRoutes } from './shipping.routes.js';

export {
  type BookedShipment,
  bindFulfillmentProviders,
  type CourierCallback,
  CourierProvider,
  type FulfillmentProvider,
  fulfillmentProvidersFor,
  fulfillmentProvidersFromEnv,
  ManualFulfillmentProvider,
  type ShipmentRequest,
  signPayload,
  verifySignature,
} from './fulfillment-provider.js';
export { type ShippingRate, shippingPrice, type WeightBracket } from './rates.js';
export { ShippingErrors } from './shipping.errors.js';
export {
  createShippingOption,
  getShippingOption,
  invalidateShippingOptions,
  listShippingOptions,
  optionsForCart,
  type ShippingOption,
  type ShippingOptionInput,
  shippingOptionCached,
} from './shipping.service.js';

export const shippingModule: StratusModule = { name: 'shipping', routes: shippingRoutes };
