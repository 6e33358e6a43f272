import { Type } from 'typebox';

const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' });
const CurrencyCode = Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217, any case' });
const RateBp = Type.Integer({ minimum: 0, maximum: 10_000, description: 'basis points: 2300 = 23 %' });

export const TaxOverride = Type.Object({ tax_class_id: Type.String({ minLength: 1 }), rate_bp: RateBp });

export const RegionCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    currency_code: CurrencyCode,
    tax_inclusive: Type.Boolean(),
    default_tax_rate_bp: RateBp,
    countries: Type.Array(CountryCode, { maxItems: 300 }),
    tax_overrides: Type.Optional(Type.Array(TaxOverride, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const RegionUpdate = Type.Partial(RegionCreate, { additionalProperties: false });

export const RegionOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  currency_code: Type.String(),
  tax_inclusive: Type.Boolean(),
  default_tax_rate_bp: Type.Integer(),
  countries: Type.Array(Type.String()),
  tax_overrides: Type.Array(TaxOverride),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const TaxClassCreate = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const TaxClassUpdate = Type.Partial(TaxClassCreate, { additionalProperties: false });

export const TaxClassOut = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
