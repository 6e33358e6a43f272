import { Type } from 'typebox';

export const CartParams = Type.Object({ id: Type.String({ pattern: '^cart_[0-9A-Z]{26}$' }) });
export const LineParams = Type.Object({
  id: Type.String({ pattern: '^cart_[0-9A-Z]{26}$' }),
  line_id: Type.String({ pattern: '^cali_[0-9A-Z]{26}$' }),
});
export const CodeParams = Type.Object({
  id: Type.String({ pattern: '^cart_[0-9A-Z]{26}$' }),
  code: Type.String({ minLength: 1, maxLength: 64 }),
});

export const Address = Type.Object(
  {
    first_name: Type.String({ minLength: 1, maxLength: 100 }),
    last_name: Type.String({ minLength: 1, maxLength: 100 }),
    company: Type.Optional(Type.String({ maxLength: 200 })),
    address_1: Type.String({ minLength: 1, maxLength: 200 }),
    address_2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    province: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.String({ minLength: 1, maxLength: 20 }),
    country_code: Type.String({ pattern: '^[A-Za-z]{2}$' }),
    phone: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

const Email = Type.String({ format: 'email', maxLength: 254 });

export const CreateCartBody = Type.Object(
  {
    region_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    currency_code: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    email: Type.Optional(Email),
    visitor_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const UpdateCartBody = Type.Object(
  {
    /** Moves the cart to another region: lines are re-priced in its currency and re-checked. */
    region_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    shipping_address: Type.Optional(Type.Union([Address, Type.Null()])),
    billing_address: Type.Optional(Type.Union([Address, Type.Null()])),
    shipping_option_id: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

export const AddLineBody = Type.Object(
  {
    variant_id: Type.String({ minLength: 1, maxLength: 64 }),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000 }),
  },
  { additionalProperties: false },
);
export const UpdateLineBody = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  { additionalProperties: false },
);
export const DiscountBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const CompleteBody = Type.Object(
  {
    payment: Type.Optional(
      Type.Object(
        {
          provider: Type.Optional(Type.String({ maxLength: 32 })),
          method: Type.Optional(Type.String({ maxLength: 32 })),
          capture_mode: Type.Optional(Type.Union([Type.Literal('automatic'), Type.Literal('manual')])),
          data: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 500 }))),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PaymentSessionBody = Type.Object(
  {
    provider: Type.String({ maxLength: 32 }),
    method: Type.Optional(Type.String({ maxLength: 32 })),
    capture_mode: Type.Optional(Type.Union([Type.Literal('automatic'), Type.Literal('manual')])),
  },
  { additionalProperties: false },
);

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const CartSchema = Type.Object({
  id: Type.String(),
  region_id: Type.String(),
  currency_code: Type.String(),
  customer_id: Nullable(Type.String()),
  email: Nullable(Type.String()),
  status: Type.String(),
  shipping_address: Nullable(Address),
  billing_address: Nullable(Address),
  shipping_option_id: Nullable(Type.String()),
  discount_codes: Type.Array(Type.String()),
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      variant_id: Type.String(),
      product_id: Type.String(),
      title: Type.String(),
      product_title: Type.String(),
      sku: Nullable(Type.String()),
      quantity: Type.Integer(),
      unit_price: Type.Integer(),
      original_unit_price: Type.Integer(),
      tax_rate_bp: Type.Integer(),
      subtotal: Type.Integer(),
      discount_total: Type.Integer(),
      tax_total: Type.Integer(),
      total: Type.Integer(),
    }),
  ),
  discounts: Type.Array(
    Type.Object({
      promotion_id: Type.String(),
      code: Nullable(Type.String()),
      kind: Type.String(),
      amount: Type.Integer(),
    }),
  ),
  tax_inclusive: Type.Boolean(),
  subtotal: Type.Integer(),
  discount_total: Type.Integer(),
  shipping_total: Type.Integer(),
  tax_total: Type.Integer(),
  total: Type.Integer(),
  order_id: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});
