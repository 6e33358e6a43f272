import { defineErrors } from '../../platform/http/errors.js';

export const CartErrors = defineErrors({
  CART_NOT_FOUND: { status: 404, description: 'The cart does not exist (or belongs to someone else).' },
  CART_COMPLETED: {
    status: 409,
    description: 'The cart was already turned into an order; start a new cart.',
  },
  CART_COMPLETING: {
    status: 409,
    description: 'The cart is being checked out by another request; retry with the same Idempotency-Key.',
  },
  CART_NOT_READY: {
    status: 422,
    description:
      'The cart cannot be checked out yet: `details` lists what is missing (items, email, address, shipping).',
  },
  CURRENCY_MISMATCH: { status: 400, description: "The currency does not match the cart's region." },
  VARIANT_NOT_AVAILABLE: {
    status: 422,
    description: "The variant does not exist, is not published, or has no price in the cart's currency.",
  },
  INSUFFICIENT_STOCK: {
    status: 409,
    description: 'Not enough stock for the requested quantity; `details` lists each shortage.',
  },
  LINE_ITEM_NOT_FOUND: { status: 404, description: 'The cart has no line item with this id.' },
  ADDRESS_NOT_IN_REGION: {
    status: 422,
    description: "The address's country is not served by the cart's region.",
  },
  CART_CONFLICT: { status: 409, description: 'The cart changed concurrently too often; retry the request.' },
});
