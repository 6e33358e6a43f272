import { Type } from 'typebox';

const Id = Type.String({ minLength: 1, maxLength: 100 });
const Reason = Type.String({ minLength: 1, maxLength: 500 });

export const IdParams = Type.Object({ id: Id });
export const VariantParams = Type.Object({ variant_id: Id });

export const StockLocationCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    code: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' }),
    priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    active: Type.Optional(Type.Boolean()),
    region_ids: Type.Optional(Type.Array(Id, { maxItems: 200 })),
  },
  { additionalProperties: false },
);
export const StockLocationUpdate = Type.Partial(StockLocationCreate, { additionalProperties: false });
export const StockLocationOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  code: Type.String(),
  priority: Type.Integer(),
  active: Type.Boolean(),
  region_ids: Type.Array(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const LevelOut = Type.Object({
  variant_id: Type.String(),
  location_id: Type.String(),
  on_hand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
  updated_at: Type.String(),
});
export const LowStockOut = Type.Object({ ...LevelOut.properties, low_stock_threshold: Type.Integer() });

export const LevelsQuery = Type.Object({
  variant_id: Type.Optional(Id),
  location_id: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});
export const LowStockQuery = Type.Object({
  location_id: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});
export const MovementsQuery = Type.Object({
  variant_id: Type.Optional(Id),
  location_id: Type.Optional(Id),
  reference_type: Type.Optional(Type.String({ maxLength: 100 })),
  reference_id: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});
export const MovementOut = Type.Object({
  id: Type.String(),
  variant_id: Type.String(),
  location_id: Type.String(),
  kind: Type.String(),
  on_hand_delta: Type.Integer(),
  reserved_delta: Type.Integer(),
  reason: Type.String(),
  actor: Type.String(),
  reference_type: Type.Union([Type.String(), Type.Null()]),
  reference_id: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
});

export const SetLevelBody = Type.Object(
  {
    variant_id: Id,
    location_id: Id,
    on_hand: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    reason: Reason,
  },
  { additionalProperties: false },
);
export const AdjustmentBody = Type.Object(
  {
    variant_id: Id,
    location_id: Id,
    delta: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000, not: { const: 0 } }),
    reason: Reason,
  },
  { additionalProperties: false },
);

export const ItemBody = Type.Object(
  {
    tracked: Type.Optional(Type.Boolean()),
    allow_backorder: Type.Optional(Type.Boolean()),
    allow_preorder: Type.Optional(Type.Boolean()),
    low_stock_threshold: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 1_000_000_000 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);
export const ItemOut = Type.Object({
  variant_id: Type.String(),
  tracked: Type.Boolean(),
  allow_backorder: Type.Boolean(),
  allow_preorder: Type.Boolean(),
  low_stock_threshold: Type.Union([Type.Integer(), Type.Null()]),
});

export const AvailabilityQuery = Type.Object({
  region_id: Id,
  variant_ids: Type.Array(Id, { minItems: 1, maxItems: 200 }),
});
export const AvailabilityOut = Type.Object({
  data: Type.Array(
    Type.Object({
      variant_id: Type.String(),
      available: Type.Integer(),
      in_stock: Type.Boolean(),
      backorder: Type.Boolean(),
      preorder: Type.Boolean(),
      tracked: Type.Boolean(),
    }),
  ),
});
