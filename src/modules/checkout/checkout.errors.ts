import { defineErrors } from '../../platform/http/errors.js';

export const CheckoutErrors = defineErrors({
  CHECKOUT_PAYMENT_DECLINED: {
    status: 402,
    description: 'The payment was declined; every reservation was released and the cart is usable again.',
  },
  CHECKOUT_PAYMENT_ACTION_REQUIRED: {
    status: 409,
    description:
      'The buyer must finish the payment with the provider (3-D Secure, PayPal approval) before completing.',
  },
});
