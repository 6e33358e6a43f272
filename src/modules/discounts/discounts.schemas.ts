import { Type } from 'typebox';

const Id = Type.String({ maxLength: 64 });
const Ids = Type.Array(Id, { maxItems: 500 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const Conditions = Type.Object(
  {
    min_subtotal: Type.Optional(Type.Integer({ minimum: 0 })),
    product_ids: Type.Optional(Ids),
    variant_ids: Type.Optional(Ids),
    category_ids: Type.Optional(Ids),
    collection_ids: Type.Optional(Ids),
    customer_group_ids: Type.Optional(Ids),
  },
  { additionalProperties: false },
);

const Kind = Type.Union([
  Type.Literal('percentage'),
  Type.Literal('fixed'),
  Type.Literal('free_shipping'),
  Type.Literal('buy_x_get_y'),
]);
const Stacking = Type.Union([Type.Literal('exclusive'), Type.Literal('combinable')]);
const Time = Type.String({ format: 'date-time' });

const fields = {
  code: Type.Optional(Nullable(Type.String({ minLength: 2, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }))),
  kind: Kind,
  value: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  currency_code: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 3 }))),
  conditions: Type.Optional(Conditions),
  buy_quantity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1000 }))),
  get_quantity: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1000 }))),
  max_applications: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  starts_at: Type.Optional(Nullable(Time)),
  ends_at: Type.Optional(Nullable(Time)),
  usage_limit: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  per_customer_limit: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  stacking: Type.Optional(Stacking),
  priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  active: Type.Optional(Type.Boolean()),
};

export const CreatePromotionBody = Type.Object(fields, { additionalProperties: false });
export const UpdatePromotionBody = Type.Partial(Type.Object(fields), { additionalProperties: false });

export const PromotionSchema = Type.Object({
  id: Type.String(),
  code: Nullable(Type.String()),
  kind: Kind,
  value: Type.Integer(),
  currency_code: Nullable(Type.String()),
  conditions: Conditions,
  buy_quantity: Type.Optional(Type.Integer()),
  get_quantity: Type.Optional(Type.Integer()),
  max_applications: Nullable(Type.Integer()),
  starts_at: Nullable(Type.String()),
  ends_at: Nullable(Type.String()),
  usage_limit: Nullable(Type.Integer()),
  usage_count: Type.Integer(),
  per_customer_limit: Nullable(Type.Integer()),
  stacking: Stacking,
  priority: Type.Integer(),
  active: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const PromotionParams = Type.Object({ id: Type.String({ pattern: '^promo_[0-9A-Z]{26}$' }) });
