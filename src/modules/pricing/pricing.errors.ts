import { defineErrors } from '../../platform/http/errors.js';

export const PricingErrors = defineErrors({
  PRICE_LIST_NOT_FOUND: { status: 404, description: 'No price list has this id.' },
  INVALID_PRICE: {
    status: 400,
    description:
      'A price set is inconsistent: a duplicate currency and quantity, a tier without a base price, or a bad quantity.',
  },
  INVALID_DATE_RANGE: { status: 400, description: 'A price list ends before it starts.' },
});
