// Shipping: options per region (flat, free above a threshold, weight tables) priced for a cart, and
// the fulfillment providers (manual, generic courier with signed requests and callbacks).
import { registerReference } from '../../platform/db/references.js';
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
  deleteShippingOption,
  getShippingOption,
  invalidateShippingOptions,
  listShippingOptions,
  optionsForCart,
  type ShippingOption,
  type ShippingOptionInput,
  type ShippingOptionPatch,
  shippingOptionCached,
  updateShippingOption,
} from './shipping.service.js';

// A region's options are priced in its currency: they go (or move) before the region does.
registerReference({
  target: 'region',
  name: 'shipping options',
  count: async (trx, id) =>
    Number(
      (
        await trx
          .selectFrom('shipping_options')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('region_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    ),
});

export const shippingModule: StratusModule = { name: 'shipping', routes: shippingRoutes };
