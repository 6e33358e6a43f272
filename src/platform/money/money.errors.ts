import { defineErrors } from '../http/errors.js';

export const MoneyErrors = defineErrors({
  UNKNOWN_CURRENCY: {
    status: 400,
    description: 'The currency code is not an ISO 4217 code Stratus supports.',
  },
  INVALID_AMOUNT: {
    status: 400,
    description:
      'A money amount is not a whole number of minor units in range (or is negative where it may not be).',
  },
});
