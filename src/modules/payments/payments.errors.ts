import { defineErrors } from '../../platform/http/errors.js';

export const PaymentErrors = defineErrors({
  PAYMENT_NOT_FOUND: { status: 404, description: 'The payment does not exist.' },
  PAYMENT_PROVIDER_UNKNOWN: {
    status: 400,
    description: 'The payment provider is not configured on this store.',
  },
  PAYMENT_INVALID_STATE: {
    status: 409,
    description: 'The payment is not in a state that allows this operation.',
  },
  PAYMENT_DECLINED: { status: 402, description: 'The payment provider declined the payment.' },
  PAYMENT_REFUND_EXCEEDS_CAPTURED: {
    status: 422,
    description: 'The refund amount is larger than what was captured and not yet refunded.',
  },
  PAYMENT_PROVIDER_ERROR: {
    status: 502,
    description: 'The payment provider failed or could not be reached; retry later.',
  },
  WEBHOOK_SIGNATURE_INVALID: {
    status: 400,
    description: 'The webhook signature is missing, malformed, stale or does not match the payload.',
  },
});
