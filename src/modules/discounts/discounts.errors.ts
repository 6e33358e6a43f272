import { defineErrors } from '../../platform/http/errors.js';

export const DiscountErrors = defineErrors({
  PROMOTION_NOT_FOUND: { status: 404, description: 'The promotion does not exist.' },
  PROMOTION_CODE_TAKEN: { status: 409, description: 'Another promotion already uses this code.' },
  INVALID_PROMOTION: {
    status: 422,
    description:
      'The promotion breaks a rule (value range, currency for fixed amounts, date window, buy/get quantities).',
  },
  DISCOUNT_CODE_INVALID: {
    status: 422,
    description:
      'The discount code is unknown, expired, used up or does not apply to this cart; `details` says why.',
  },
  PROMOTION_LIMIT_REACHED: {
    status: 409,
    description:
      'A promotion on the cart reached its usage limit while checking out; the cart was left unchanged.',
  },
});
