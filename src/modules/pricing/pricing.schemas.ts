import { Type } from 'typebox';

const CurrencyCode = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217, any case' });
const Amount = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units' });
const MinQuantity = Type.Integer({ minimum: 1, maximum: 1_000_000 });
const IsoTime = Type.String({ format: 'date-time' });

export const PriceIn = Type.Object(
  { currency_code: CurrencyCode, amount: Amount, min_quantity: Type.Optional(MinQuantity) },
  { additionalProperties: false },
);
export const PriceOut = Type.Object({
  currency_code: Type.String(),
  amount: Type.Integer(),
  min_quantity: Type.Integer(),
});
export const VariantPricesBody = Type.Object(
  { prices: Type.Array(PriceIn, { maxItems: 500 }) },
  { additionalProperties: false },
);
export const VariantPricesOut = Type.Object({ variant_id: Type.String(), prices: Type.Array(PriceOut) });
export const VariantParams = Type.Object({ variant_id: Type.String({ minLength: 1, maxLength: 100 }) });

export const ListPriceIn = Type.Object(
  {
    variant_id: Type.String({ minLength: 1, maxLength: 100 }),
    currency_code: CurrencyCode,
    amount: Amount,
    min_quantity: Type.Optional(MinQuantity),
  },
  { additionalProperties: false },
);
export const ListPriceOut = Type.Object({
  variant_id: Type.String(),
  currency_code: Type.String(),
  amount: Type.Integer(),
  min_quantity: Type.Integer(),
});

const PriceListFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
  type: Type.Union([Type.Literal('sale'), Type.Literal('override')]),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('draft')])),
  starts_at: Type.Optional(Type.Union([IsoTime, Type.Null()])),
  ends_at: Type.Optional(Type.Union([IsoTime, Type.Null()])),
  customer_group_ids: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 }),
  ),
  prices: Type.Optional(Type.Array(ListPriceIn, { maxItems: 10_000 })),
};
export const PriceListCreate = Type.Object(PriceListFields, { additionalProperties: false });
export const PriceListUpdate = Type.Partial(PriceListCreate, { additionalProperties: false });
export const PriceListPricesBody = Type.Object(
  { prices: Type.Array(ListPriceIn, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false },
);

const PriceListSummaryFields = {
  id: Type.String(),
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  type: Type.String(),
  status: Type.String(),
  starts_at: Type.Union([Type.String(), Type.Null()]),
  ends_at: Type.Union([Type.String(), Type.Null()]),
  customer_group_ids: Type.Array(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
};
export const PriceListSummary = Type.Object(PriceListSummaryFields);
export const PriceListOut = Type.Object({ ...PriceListSummaryFields, prices: Type.Array(ListPriceOut) });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const StorePricesQuery = Type.Object({
  region_id: Type.String({ minLength: 1, maxLength: 100 }),
  variant_ids: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200 }),
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
});
export const ResolvedPriceOut = Type.Object({
  variant_id: Type.String(),
  currency_code: Type.String(),
  amount: Type.Integer(),
  original_amount: Type.Integer(),
  price_list_id: Type.Union([Type.String(), Type.Null()]),
  tax_rate_bp: Type.Integer(),
  tax_inclusive: Type.Boolean(),
  amount_excl_tax: Type.Integer(),
  amount_incl_tax: Type.Integer(),
  tax_amount: Type.Integer(),
  original_amount_incl_tax: Type.Integer(),
  original_amount_excl_tax: Type.Integer(),
});
