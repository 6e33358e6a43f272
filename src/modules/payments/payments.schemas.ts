import { Type } from 'typebox';

export const PaymentSchema = Type.Object({
  id: Type.String(),
  reference_type: Type.Union([Type.Literal('cart'), Type.Literal('order')]),
  reference_id: Type.String(),
  provider: Type.String(),
  method: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  currency_code: Type.String(),
  amount: Type.Integer(),
  amount_captured: Type.Integer(),
  amount_refunded: Type.Integer(),
  capture_mode: Type.String(),
  provider_reference: Type.Union([Type.String(), Type.Null()]),
  failure_code: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const PaymentParams = Type.Object({ id: Type.String({ pattern: '^pay_[0-9A-Z]{26}$' }) });

export const CaptureQuery = Type.Object({ amount: Type.Optional(Type.Integer({ minimum: 1 })) });

export const RefundBody = Type.Object(
  { amount: Type.Integer({ minimum: 1 }), reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const WebhookAck = Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean() });
