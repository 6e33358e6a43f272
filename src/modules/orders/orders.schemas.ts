import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const OrderLineSchema = Type.Object({
  id: Type.String(),
  variant_id: Type.String(),
  product_id: Type.String(),
  title: Type.String(),
  sku: Nullable(Type.String()),
  quantity: Type.Integer(),
  unit_price: Type.Integer(),
  subtotal: Type.Integer(),
  discount_total: Type.Integer(),
  tax_rate_bp: Type.Integer(),
  tax_total: Type.Integer(),
  total: Type.Integer(),
  fulfilled_quantity: Type.Integer(),
  returned_quantity: Type.Integer(),
});

export const OrderSchema = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  display_number: Type.String(),
  cart_id: Type.String(),
  region_id: Type.String(),
  currency_code: Type.String(),
  customer_id: Nullable(Type.String()),
  email: Type.String(),
  status: Type.String(),
  payment_status: Type.String(),
  fulfillment_status: Type.String(),
  payment_id: Nullable(Type.String()),
  shipping_address: Type.Record(Type.String(), Type.Unknown()),
  billing_address: Nullable(Type.Record(Type.String(), Type.Unknown())),
  shipping_option_id: Nullable(Type.String()),
  tax_inclusive: Type.Boolean(),
  subtotal: Type.Integer(),
  discount_total: Type.Integer(),
  shipping_total: Type.Integer(),
  tax_total: Type.Integer(),
  total: Type.Integer(),
  refunded_total: Type.Integer(),
  discounts: Type.Array(Type.Unknown()),
  allocations: Type.Array(
    Type.Object({ variant_id: Type.String(), location_id: Type.String(), quantity: Type.Integer() }),
  ),
  canceled_at: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
  items: Type.Array(OrderLineSchema),
});

export const OrderParams = Type.Object({ id: Type.String({ pattern: '^ord_[0-9A-Z]{26}$' }) });
