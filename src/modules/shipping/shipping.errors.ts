import { defineErrors } from '../../platform/http/errors.js';

export const ShippingErrors = defineErrors({
  SHIPPING_OPTION_NOT_FOUND: { status: 404, description: 'The shipping option does not exist.' },
  SHIPPING_OPTION_UNAVAILABLE: {
    status: 422,
    description: "The shipping option does not serve the cart's region or cannot ship its weight.",
  },
  INVALID_SHIPPING_OPTION: {
    status: 422,
    description:
      'The shipping option breaks a rule (free_above needs a threshold, weight_table needs brackets).',
  },
  SHIPPING_OPTION_IN_USE: {
    status: 409,
    description:
      'Open orders or active carts still use the shipping option; `details` counts them. Deactivate it instead (`active: false`).',
  },
  COURIER_UNAVAILABLE: {
    status: 502,
    description: 'The courier could not be reached or refused the shipment; the fulfillment stays pending.',
  },
  COURIER_SIGNATURE_INVALID: {
    status: 400,
    description: 'The courier callback signature is missing, stale or does not match the payload.',
  },
});
