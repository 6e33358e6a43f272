import { type Static, Type } from 'typebox';

export const Locale = Type.String({
  pattern: '^[a-z]{2}(-[A-Z]{2})?$',
  description: 'BCP 47: `pl` or `pl-PL`',
});
const Handle = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 1, maxLength: 200 });
const Id = Type.String({ minLength: 1, maxLength: 64 });
const ShortText = Type.String({ minLength: 1, maxLength: 300 });
const LongText = Type.String({ maxLength: 20_000 });

const ProductText = Type.Object(
  {
    title: Type.Optional(ShortText),
    subtitle: Type.Optional(Type.String({ maxLength: 300 })),
    description: Type.Optional(LongText),
    seo_title: Type.Optional(Type.String({ maxLength: 300 })),
    seo_description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
const NamedText = Type.Object(
  {
    name: Type.Optional(ShortText),
    title: Type.Optional(ShortText),
    description: Type.Optional(LongText),
  },
  { additionalProperties: false },
);

/** Text per locale; a missing field falls back to the default-locale value on the resource itself. */
export const ProductTranslations = Type.Record(Locale, ProductText);
export const NamedTranslations = Type.Record(Locale, NamedText);
export const VariantTranslations = Type.Record(
  Locale,
  Type.Object({ title: Type.Optional(ShortText) }, { additionalProperties: false }),
);

export const ProductOption = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    values: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);

export const Media = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
    kind: Type.Union([Type.Literal('image'), Type.Literal('model')]),
    /** For `model`: glTF (`gltf`/`glb`) for the web and Android, USDZ for iOS AR Quick Look. */
    format: Type.Optional(
      Type.Union([Type.Literal('gltf'), Type.Literal('glb'), Type.Literal('usdz'), Type.Null()]),
    ),
    alt: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

export const Attribute = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z0-9_]+$', maxLength: 100 }),
    type: Type.Union([
      Type.Literal('text'),
      Type.Literal('number'),
      Type.Literal('boolean'),
      Type.Literal('date'),
    ]),
    // Checked against `type` by the service: a union here would let the validator's type coercion
    // turn 46 into "46" before the check could see it.
    value: Type.Unsafe<string | number | boolean>({
      description: 'a string, number or boolean matching `type`',
    }),
  },
  { additionalProperties: false },
);

export const PriceInput = Type.Object(
  {
    currency_code: Type.String({ minLength: 3, maxLength: 3 }),
    amount: Type.Integer({ description: 'minor units' }),
  },
  { additionalProperties: false },
);

const variantFields = {
  sku: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  barcode: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  title: Type.Optional(ShortText),
  weight_grams: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  options: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 100 }))),
  tax_class_id: Type.Optional(Type.Union([Id, Type.Null()])),
  translations: Type.Optional(VariantTranslations),
  prices: Type.Optional(Type.Array(PriceInput, { maxItems: 50 })),
};
export const VariantInput = Type.Object(variantFields, { additionalProperties: false });
export type VariantInput = Static<typeof VariantInput>;

const Status = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')]);

const productFields = {
  handle: Type.Optional(Handle),
  status: Type.Optional(Status),
  title: ShortText,
  subtitle: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  description: Type.Optional(LongText),
  seo_title: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  seo_description: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  product_type: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
  options: Type.Optional(Type.Array(ProductOption, { maxItems: 3 })),
  media: Type.Optional(Type.Array(Media, { maxItems: 50 })),
  attributes: Type.Optional(Type.Array(Attribute, { maxItems: 100 })),
  translations: Type.Optional(ProductTranslations),
  category_ids: Type.Optional(Type.Array(Id, { maxItems: 50 })),
  collection_ids: Type.Optional(Type.Array(Id, { maxItems: 50 })),
};

export const ProductCreate = Type.Object(
  { ...productFields, variants: Type.Array(VariantInput, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export type ProductCreate = Static<typeof ProductCreate>;
export const ProductUpdate = Type.Partial(
  Type.Object(
    {
      ...productFields,
      /**
       * Option values of existing variants, written in the same transaction as `options`: what lets an
       * option be added to, renamed on or removed from a product that already has variants.
       */
      variant_options: Type.Record(
        Id,
        Type.Record(
          Type.String({ minLength: 1, maxLength: 100 }),
          Type.String({ minLength: 1, maxLength: 100 }),
        ),
        { description: 'variant id → { option name: value }, replacing that variant’s values' },
      ),
    },
    { additionalProperties: false },
  ),
);
export type ProductUpdate = Static<typeof ProductUpdate>;

export const VariantDocument = Type.Object({
  id: Type.String(),
  sku: Type.Union([Type.String(), Type.Null()]),
  barcode: Type.Union([Type.String(), Type.Null()]),
  title: Type.String(),
  weight_grams: Type.Union([Type.Integer(), Type.Null()]),
  options: Type.Record(Type.String(), Type.String()),
  tax_class_id: Type.Union([Type.String(), Type.Null()]),
  translations: VariantTranslations,
  position: Type.Integer(),
});

export const ProductDocument = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  status: Status,
  title: Type.String(),
  subtitle: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
  seo_title: Type.Union([Type.String(), Type.Null()]),
  seo_description: Type.Union([Type.String(), Type.Null()]),
  product_type: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  options: Type.Array(ProductOption),
  media: Type.Array(Media),
  attributes: Type.Array(Attribute),
  translations: ProductTranslations,
  category_ids: Type.Array(Type.String()),
  collection_ids: Type.Array(Type.String()),
  variants: Type.Array(VariantDocument),
  created_at: Type.String(),
  updated_at: Type.String(),
  published_at: Type.Union([Type.String(), Type.Null()]),
});
export type ProductDocument = Static<typeof ProductDocument>;
export type VariantDocument = Static<typeof VariantDocument>;

export const AdminProduct = Type.Object({
  ...ProductDocument.properties,
  variants: Type.Array(Type.Object({ ...VariantDocument.properties, prices: Type.Array(PriceInput) })),
});

export const CategoryInput = Type.Object(
  {
    handle: Type.Optional(Handle),
    name: ShortText,
    description: Type.Optional(LongText),
    parent_id: Type.Optional(Type.Union([Id, Type.Null()])),
    position: Type.Optional(Type.Integer({ minimum: 0 })),
    translations: Type.Optional(NamedTranslations),
  },
  { additionalProperties: false },
);
export type CategoryInput = Static<typeof CategoryInput>;
export const CategoryUpdate = Type.Partial(CategoryInput);
export type CategoryUpdate = Static<typeof CategoryUpdate>;
export const Category = Type.Object({
  id: Type.String(),
  parent_id: Type.Union([Type.String(), Type.Null()]),
  handle: Type.String(),
  name: Type.String(),
  description: Type.String(),
  position: Type.Integer(),
  translations: NamedTranslations,
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type Category = Static<typeof Category>;

export const CollectionInput = Type.Object(
  {
    handle: Type.Optional(Handle),
    title: ShortText,
    description: Type.Optional(LongText),
    translations: Type.Optional(NamedTranslations),
  },
  { additionalProperties: false },
);
export type CollectionInput = Static<typeof CollectionInput>;
export const CollectionUpdate = Type.Partial(CollectionInput);
export type CollectionUpdate = Static<typeof CollectionUpdate>;
export const Collection = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  title: Type.String(),
  description: Type.String(),
  translations: NamedTranslations,
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type Collection = Static<typeof Collection>;
