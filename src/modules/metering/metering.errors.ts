import { defineErrors } from '../../platform/http/errors.js';

export const MeteringErrors = defineErrors({
  USAGE_RANGE_INVALID: {
    status: 400,
    description: 'The usage range is reversed or longer than 366 days.',
  },
});
