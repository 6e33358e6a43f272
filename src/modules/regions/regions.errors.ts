import { defineErrors } from '../../platform/http/errors.js';

export const RegionErrors = defineErrors({
  REGION_NOT_FOUND: { status: 404, description: 'No region has this id.' },
  COUNTRY_IN_OTHER_REGION: {
    status: 409,
    description: 'A country can belong to one region only; it already belongs to another.',
  },
  TAX_CLASS_NOT_FOUND: { status: 404, description: 'No tax class has this id.' },
  UNKNOWN_TAX_CLASS: { status: 400, description: 'The request refers to a tax class that does not exist.' },
  TAX_CLASS_CODE_TAKEN: { status: 409, description: 'Another tax class already uses this code.' },
  REGION_IN_USE: {
    status: 409,
    description:
      'The region still has open orders, active carts or shipping options; `details` counts each. Finish or cancel the orders and delete its shipping options first.',
  },
  TAX_CLASS_IN_USE: {
    status: 409,
    description:
      'Product variants still use the tax class; `details` counts them. Move them to another class first.',
  },
});
