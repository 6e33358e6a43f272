import { defineErrors } from '../../platform/http/errors.js';

export const InventoryErrors = defineErrors({
  STOCK_LOCATION_NOT_FOUND: { status: 404, description: 'No stock location has this id.' },
  STOCK_LOCATION_CODE_TAKEN: { status: 409, description: 'Another stock location already uses this code.' },
  INSUFFICIENT_STOCK: {
    status: 409,
    description:
      'The change would take more stock than is available (on hand minus reserved) at the location.',
  },
  INVALID_QUANTITY: {
    status: 400,
    description: 'A stock quantity is not a whole number in the allowed range.',
  },
});
