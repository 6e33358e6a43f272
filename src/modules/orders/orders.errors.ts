import { defineErrors } from '../../platform/http/errors.js';

export const OrderErrors = defineErrors({
  ORDER_NOT_FOUND: { status: 404, description: 'The order does not exist.' },
  ORDER_INVALID_TRANSITION: {
    status: 409,
    description: 'The order cannot make this transition from its current status.',
  },
  FULFILLMENT_INVALID: {
    status: 422,
    description:
      'The fulfillment or return asks for more units than the order has left, or names unknown lines.',
  },
  FULFILLMENT_NOT_FOUND: { status: 404, description: 'The fulfillment does not exist on this order.' },
  FULFILLMENT_NOT_RETRYABLE: {
    status: 409,
    description:
      'Only a pending courier fulfillment of a live order can retry its booking (this one is booked, shipped, canceled or manual).',
  },
  RETURN_NOT_FOUND: { status: 404, description: 'The return does not exist on this order.' },
});
