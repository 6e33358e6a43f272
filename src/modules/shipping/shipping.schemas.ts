import { Type } from 'typebox';

const PriceType = Type.Union([
  Type.Literal('flat'),
  Type.Literal('free_above'),
  Type.Literal('weight_table'),
]);
const Bracket = Type.Object({
  max_grams: Type.Integer({ minimum: 1 }),
  amount: Type.Integer({ minimum: 0 }),
});

export const CreateShippingOptionBody = Type.Object(
  {
    region_id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    provider: Type.Optional(Type.Union([Type.Literal('manual'), Type.Literal('courier')])),
    price_type: PriceType,
    amount: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    free_above: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    weight_table: Type.Optional(Type.Array(Bracket, { maxItems: 100 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Everything but the region: an option is priced in its region's currency, so it cannot move. */
export const UpdateShippingOptionBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    provider: Type.Optional(Type.Union([Type.Literal('manual'), Type.Literal('courier')])),
    price_type: Type.Optional(PriceType),
    amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    free_above: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    weight_table: Type.Optional(Type.Array(Bracket, { maxItems: 100 })),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ShippingOptionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const ShippingOptionSchema = Type.Object({
  id: Type.String(),
  region_id: Type.String(),
  name: Type.String(),
  provider: Type.String(),
  price_type: PriceType,
  amount: Type.Integer(),
  free_above: Type.Union([Type.Integer(), Type.Null()]),
  weight_table: Type.Array(Bracket),
  active: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const PricedShippingOption = Type.Intersect([
  ShippingOptionSchema,
  Type.Object({ price: Type.Integer() }),
]);
