import type { Selectable } from 'kysely';
import type { Cache } from '../../platform/cache/cache.js';
import { type FieldCrypto, normaliseEmail } from '../../platform/crypto/field-crypto.js';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { prepared, type Scalar } from '../../platform/db/prepared.js';
import { now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { type DomainEvent, emit, preparedUpdateThenEmit } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { currencyCode } from '../../platform/money/index.js';
import { getVariants } from '../catalog/index.js';
import { DiscountErrors } from '../discounts/discounts.errors.js';
import {
  type AppliedDiscount,
  applyPromotions,
  automaticPromotionsCached,
  type EngineResult,
  promotionsForCart,
} from '../discounts/index.js';
import { customerGroupIds } from '../identity/index.js';
import { availability } from '../inventory/index.js';
import { resolvePrices } from '../pricing/index.js';
import type { Region } from '../regions/index.js';
import {
  ShippingErrors,
  type ShippingOption,
  shippingOptionCached,
  shippingPrice,
} from '../shipping/index.js';
import { CartErrors } from './cart.errors.js';
import type { CartTable } from './cart.tables.js';
import { moveToRegion } from './cart-region.js';
import { defaultRegionCached, regionCached as getRegionCached } from './region-cache.js';
import { type CartTotals, computeTotals } from './totals.js';

export interface Address {
  first_name: string;
  last_name: string;
  company?: string;
  address_1: string;
  address_2?: string;
  city: string;
  province?: string;
  postal_code: string;
  country_code: string;
  phone?: string;
}

/** A line with the price snapshot taken when it was added or changed. */
export interface CartItem {
  id: string;
  variant_id: string;
  product_id: string;
  title: string;
  product_title: string;
  sku: string | null;
  quantity: number;
  unit_price: number;
  original_unit_price: number;
  tax_rate_bp: number;
  weight_grams: number;
  category_ids: string[];
  collection_ids: string[];
}

export interface Cart {
  id: string;
  region_id: string;
  currency_code: string;
  customer_id: string | null;
  email: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
  shipping_option_id: string | null;
  discount_codes: string[];
  items: CartItem[];
  status: CartTable['status'];
  version: number;
  locked_until: string | null;
  order_id: string | null;
  visitor_id: string | null;
  session_id: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

export interface Deps {
  db: Db;
  cache: Cache;
  /** The context's key ring (loaded once per app): personal fields are encrypted at rest. */
  crypto: FieldCrypto;
  /**
   * Who is asking (HTTP calls): resolves the signed-in customer's id, or null. Asked only when a
   * cart belongs to a customer, which then opens to that customer alone. Absent for internal calls.
   */
  caller?: () => Promise<string | null>;
}

/** A customer's cart answers "not found" to anyone else, exactly like a missing one. */
export async function assertCartCaller(
  deps: Pick<Deps, 'caller'>,
  cart: { id: string; customer_id: string | null },
): Promise<void> {
  if (!deps.caller || cart.customer_id === null) return;
  if ((await deps.caller()) !== cart.customer_id)
    throw new AppError(CartErrors.CART_NOT_FOUND, `Cart ${cart.id} not found`);
}

/** Blind-index purpose of `carts.email_index` (the normalised email). */
export const CART_EMAIL_INDEX = 'cart email';

function emailIndexOf(crypto: FieldCrypto, email: string | null | undefined): string | null {
  return email ? crypto.blindIndex(CART_EMAIL_INDEX, normaliseEmail(email)) : null;
}

/** Parses a row whose personal fields are already in clear. */
function parseCart(row: Selectable<CartTable>): Cart {
  const { email_index: _index, ...fields } = row;
  return {
    ...fields,
    shipping_address: row.shipping_address ? (JSON.parse(row.shipping_address) as Address) : null,
    billing_address: row.billing_address ? (JSON.parse(row.billing_address) as Address) : null,
    discount_codes: JSON.parse(row.discount_codes) as string[],
    items: JSON.parse(row.items) as CartItem[],
  };
}

/** A stored cart row in clear: email and addresses are decrypted (legacy plaintext passes through). */
export async function toCart(row: Selectable<CartTable>, crypto: FieldCrypto): Promise<Cart> {
  const [email, shipping_address, billing_address] = await Promise.all([
    crypto.decryptLegacy(row.email),
    crypto.decryptLegacy(row.shipping_address),
    crypto.decryptLegacy(row.billing_address),
  ]);
  return parseCart({ ...row, email, shipping_address, billing_address });
}

// Every cart call reads the cart, and every flow creates one: both compiled once (prepared).
const cartById = prepared((db, a: { id: string }) =>
  db.selectFrom('carts').selectAll().where('id', '=', a.id),
);
/** The guarded UPDATE of mutateCart; the shape is the list of columns set. */
const updateCartRow = preparedUpdateThenEmit((db, a: Record<string, Scalar>, shape) =>
  db
    .updateTable('carts')
    .set(Object.fromEntries(shape.split(',').map((column) => [column, a[column]])))
    .where('id', '=', a.id as string)
    .where('version', '=', a.expected_version as number)
    .where('status', '=', 'open'),
);
const insertCart = prepared((db, a: Selectable<CartTable>) => db.insertInto('carts').values(a));

export async function loadCart(deps: Pick<Deps, 'db' | 'crypto' | 'caller'>, id: string): Promise<Cart> {
  const [row] = await cartById(deps.db, { id });
  if (!row) throw new AppError(CartErrors.CART_NOT_FOUND, `Cart ${id} not found`);
  await assertCartCaller(deps, row);
  return toCart(row, deps.crypto);
}

function assertOpen(cart: Cart): void {
  if (cart.status === 'completed')
    throw new AppError(CartErrors.CART_COMPLETED, 'The cart is already an order');
  if (cart.status === 'completing')
    throw new AppError(CartErrors.CART_COMPLETING, 'The cart is being checked out');
}

export async function createCart(
  deps: Deps,
  input: {
    region_id?: string;
    currency_code?: string;
    email?: string;
    customer_id?: string | null;
    visitor_id?: string;
    session_id?: string;
  },
): Promise<Cart> {
  const region = input.region_id
    ? await getRegionCached(deps, input.region_id)
    : await defaultRegionCached(deps);
  if (!region) throw new AppError(CartErrors.CART_NOT_READY, 'The store has no region to sell in yet');
  if (input.currency_code && currencyCode(input.currency_code) !== region.currency_code) {
    throw new AppError(
      CartErrors.CURRENCY_MISMATCH,
      `Region ${region.id} sells in ${region.currency_code}, not ${input.currency_code.toLowerCase()}`,
    );
  }
  const at = now();
  const row: Selectable<CartTable> = {
    id: newId('cart'),
    region_id: region.id,
    currency_code: region.currency_code,
    customer_id: input.customer_id ?? null,
    email: deps.crypto.encryptNullable(input.email),
    email_index: emailIndexOf(deps.crypto, input.email),
    shipping_address: null,
    billing_address: null,
    shipping_option_id: null,
    discount_codes: '[]',
    items: '[]',
    status: 'open',
    version: 1,
    locked_until: null,
    order_id: null,
    visitor_id: input.visitor_id ?? null,
    session_id: input.session_id ?? null,
    created_at: at,
    updated_at: at,
    completed_at: null,
  };
  await inTransaction(deps.db, async (trx) => {
    await insertCart(trx, row);
    await emit(trx, {
      topic: 'cart.created',
      payload: {
        cart_id: row.id,
        customer_id: row.customer_id,
        region_id: row.region_id,
        created_at: at,
        visitor_id: row.visitor_id,
      },
    });
  });
  return parseCart({ ...row, email: input.email ?? null });
}

type Changes = Partial<
  Pick<
    Cart,
    | 'email'
    | 'shipping_address'
    | 'billing_address'
    | 'shipping_option_id'
    | 'discount_codes'
    | 'items'
    | 'customer_id'
    | 'region_id'
    | 'currency_code'
  >
>;

/** What one edit does: the fields it writes and the one event that says so (ids only, no personal data). */
export interface CartEdit {
  changes: Changes;
  event: DomainEvent;
}

/**
 * Read-modify-write of an open cart with optimistic concurrency: the UPDATE only lands if nobody
 * changed the cart since it was read (same `version`); otherwise it re-reads and re-applies, a few times.
 * `change` returns the edit, or null when the cart already is as asked (nothing written, no event).
 * The UPDATE and the edit's event are atomic (preparedUpdateThenEmit: one statement on PostgreSQL): the event
 * exists exactly when the change does.
 */
export async function mutateCart(
  deps: Deps,
  id: string,
  change: (cart: Cart) => Promise<CartEdit | null> | CartEdit | null,
  /** The cart as the caller already read it: the first attempt reuses it instead of reading again. */
  known?: Cart,
): Promise<Cart> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cart = attempt === 0 && known ? known : await loadCart(deps, id);
    assertOpen(cart);
    const edit = await change(cart);
    if (!edit) return cart;
    const { changes, event } = edit;
    const set: Record<string, unknown> = { version: cart.version + 1, updated_at: now() };
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (['shipping_option_id', 'customer_id', 'region_id', 'currency_code'].includes(key)) set[key] = value;
      else if (key === 'email') {
        set.email = deps.crypto.encryptNullable(value as string | null);
        set.email_index = emailIndexOf(deps.crypto, value as string | null);
      } else if (key === 'shipping_address' || key === 'billing_address')
        set[key] = value === null ? null : deps.crypto.encrypt(JSON.stringify(value));
      else set[key] = value === null ? null : JSON.stringify(value);
    }
    const landed = await updateCartRow(
      deps.db,
      { ...set, id, expected_version: cart.version } as Record<string, Scalar>,
      Object.keys(set).join(','),
      {
        topic: event.topic,
        payload: { cart_id: id, ...event.payload, version: cart.version + 1, updated_at: set.updated_at },
      },
    );
    if (landed)
      return { ...cart, ...changes, version: cart.version + 1, updated_at: set.updated_at as string };
  }
  throw new AppError(CartErrors.CART_CONFLICT, 'The cart kept changing; retry');
}

/** Prices, availability and catalog data for variants in one go: the line snapshot. */
async function snapshot(
  deps: Deps,
  region: Region,
  variantId: string,
  quantity: number,
  existing: number,
  /** The cart's customer: their group price lists (B2B, member prices) apply; guests skip the lookup. */
  customerId: string | null,
): Promise<Omit<CartItem, 'id'>> {
  const [[variant], groups] = await Promise.all([
    getVariants(deps.db, [variantId]),
    customerId ? customerGroupIds(deps.db, customerId) : Promise.resolve([]),
  ]);
  if (variant?.status !== 'published') {
    throw new AppError(CartErrors.VARIANT_NOT_AVAILABLE, `Variant ${variantId} is not for sale`);
  }
  const [prices, stock] = await Promise.all([
    resolvePrices(deps.db, {
      variant_ids: [variantId],
      region,
      quantity: existing + quantity,
      tax_class_ids: { [variantId]: variant.tax_class_id },
      customer_group_ids: groups,
    }),
    availability(deps.db, { variant_ids: [variantId], region_id: region.id }),
  ]);
  const price = prices.get(variantId);
  if (!price) {
    throw new AppError(
      CartErrors.VARIANT_NOT_AVAILABLE,
      `Variant ${variantId} has no price in ${region.currency_code}`,
    );
  }
  const level = stock.get(variantId);
  const wanted = existing + quantity;
  if (level?.tracked && !level.backorder && !level.preorder && level.available < wanted) {
    throw new AppError(
      CartErrors.INSUFFICIENT_STOCK,
      `Only ${Math.max(0, level.available)} left of ${variant.sku ?? variantId}`,
      [{ variant_id: variantId, requested: wanted, available: Math.max(0, level.available) }],
    );
  }
  return {
    variant_id: variantId,
    product_id: variant.product_id,
    title: variant.title,
    product_title: variant.product_title,
    sku: variant.sku,
    quantity: wanted,
    unit_price: price.amount,
    original_unit_price: price.original_amount,
    tax_rate_bp: price.tax_rate_bp,
    weight_grams: variant.weight_grams ?? 0,
    category_ids: variant.category_ids,
    collection_ids: variant.collection_ids,
  };
}

export async function addLineItem(
  deps: Deps,
  cartId: string,
  input: { variant_id: string; quantity: number },
): Promise<Cart> {
  const cart = await loadCart(deps, cartId);
  assertOpen(cart);
  const region = await getRegionCached(deps, cart.region_id);
  const existing = cart.items.find((i) => i.variant_id === input.variant_id);
  const line = await snapshot(
    deps,
    region,
    input.variant_id,
    input.quantity,
    existing?.quantity ?? 0,
    cart.customer_id,
  );
  return mutateCart(
    deps,
    cartId,
    (current) => {
      const found = current.items.find((i) => i.variant_id === input.variant_id);
      const added = found
        ? { ...line, id: found.id, quantity: found.quantity + input.quantity }
        : { ...line, id: newId('cali') };
      const items = found
        ? current.items.map((i) => (i.id === found.id ? added : i))
        : [...current.items, added];
      return {
        changes: { items },
        event: {
          topic: 'cart.line_added',
          payload: {
            line_id: added.id,
            variant_id: added.variant_id,
            product_id: added.product_id,
            quantity: input.quantity,
            line_quantity: added.quantity,
            unit_price: added.unit_price,
            currency_code: current.currency_code,
          },
        },
      };
    },
    cart,
  );
}

export async function updateLineItem(
  deps: Deps,
  cartId: string,
  lineId: string,
  quantity: number,
): Promise<Cart> {
  const cart = await loadCart(deps, cartId);
  assertOpen(cart);
  const line = cart.items.find((i) => i.id === lineId);
  if (!line) throw new AppError(CartErrors.LINE_ITEM_NOT_FOUND, `Line item ${lineId} not found`);
  const region = await getRegionCached(deps, cart.region_id);
  const fresh = await snapshot(deps, region, line.variant_id, quantity, 0, cart.customer_id);
  return mutateCart(
    deps,
    cartId,
    (current) => {
      const before = current.items.find((i) => i.id === lineId);
      if (!before) throw new AppError(CartErrors.LINE_ITEM_NOT_FOUND, `Line item ${lineId} not found`);
      return {
        changes: { items: current.items.map((i) => (i.id === lineId ? { ...fresh, id: lineId } : i)) },
        event: {
          topic: 'cart.line_updated',
          payload: {
            line_id: lineId,
            variant_id: fresh.variant_id,
            product_id: fresh.product_id,
            quantity: fresh.quantity,
            previous_quantity: before.quantity,
            unit_price: fresh.unit_price,
            currency_code: current.currency_code,
          },
        },
      };
    },
    cart,
  );
}

export async function removeLineItem(deps: Deps, cartId: string, lineId: string): Promise<Cart> {
  return mutateCart(deps, cartId, (current) => {
    const removed = current.items.find((i) => i.id === lineId);
    if (!removed) throw new AppError(CartErrors.LINE_ITEM_NOT_FOUND, `Line item ${lineId} not found`);
    return {
      changes: { items: current.items.filter((i) => i.id !== lineId) },
      event: {
        topic: 'cart.line_removed',
        payload: {
          line_id: lineId,
          variant_id: removed.variant_id,
          product_id: removed.product_id,
          quantity: removed.quantity,
        },
      },
    };
  });
}

export interface CartUpdate {
  region_id?: string;
  email?: string | null;
  shipping_address?: Address | null;
  billing_address?: Address | null;
  shipping_option_id?: string | null;
}

/**
 * Updates a cart's details; with a new `region_id` it also moves the cart there (see moveToRegion:
 * lines re-priced and re-checked, unfit shipping option and addresses cleared). Addresses and the
 * shipping option given in the same request are checked against the new region. One write.
 */
export async function updateCart(deps: Deps, cartId: string, input: CartUpdate): Promise<Cart> {
  const cart = await loadCart(deps, cartId);
  assertOpen(cart);
  const moving = input.region_id !== undefined && input.region_id !== cart.region_id;
  const region = await getRegionCached(deps, input.region_id ?? cart.region_id);
  const moved = moving ? await moveToRegion(deps.db, cart, region) : undefined;
  for (const field of ['shipping_address', 'billing_address'] as const) {
    const address = input[field];
    if (address) {
      address.country_code = address.country_code.toLowerCase();
      if (!region.countries.map((c: string) => c.toLowerCase()).includes(address.country_code)) {
        throw new AppError(
          CartErrors.ADDRESS_NOT_IN_REGION,
          `Region ${region.name} does not ship to ${address.country_code}`,
        );
      }
    }
  }
  if (input.shipping_option_id) {
    // The same cached copy priceCart and checkout use (admin edits invalidate it): no statement here.
    const option = await shippingOptionCached(deps, input.shipping_option_id);
    const items = moved?.items ?? cart.items;
    const weight = items.reduce((s, i) => s + i.weight_grams * i.quantity, 0);
    const subtotal = items.reduce((s, i) => s + i.unit_price * i.quantity, 0);
    if (
      option.region_id !== region.id ||
      !option.active ||
      shippingPrice(option, { subtotal, weight_grams: weight }) === null
    ) {
      throw new AppError(
        ShippingErrors.SHIPPING_OPTION_UNAVAILABLE,
        `Shipping option ${option.id} is not available for this cart`,
      );
    }
  }
  const changes: Changes = {};
  for (const key of ['email', 'shipping_address', 'billing_address', 'shipping_option_id'] as const) {
    if (input[key] !== undefined) (changes as Record<string, unknown>)[key] = input[key];
  }
  if (!moving) return mutateCart(deps, cartId, (current) => detailsEdit(current, changes), cart);
  // A concurrent edit (a line added meanwhile) makes mutateCart re-read: move that version again.
  return mutateCart(
    deps,
    cartId,
    async (current) =>
      detailsEdit(current, {
        ...(current.version === cart.version ? moved! : await moveToRegion(deps.db, current, region)),
        ...changes,
      }),
    cart,
  );
}

/**
 * A PATCH of the cart's details is one `cart.updated` naming the fields that changed (values only for
 * ids: the email and addresses are personal data). Fields sent with their current value change
 * nothing; a PATCH that changes nothing writes nothing.
 */
function detailsEdit(current: Cart, changes: Changes): CartEdit | null {
  const fields = (Object.keys(changes) as Array<keyof Changes>).filter(
    (key) => JSON.stringify(changes[key]) !== JSON.stringify(current[key]),
  );
  if (fields.length === 0) return null;
  const payload: Record<string, unknown> = { fields };
  if (fields.includes('shipping_option_id')) payload.shipping_option_id = changes.shipping_option_id;
  if (fields.includes('region_id'))
    Object.assign(payload, {
      region_id: changes.region_id,
      previous_region_id: current.region_id,
      currency_code: changes.currency_code,
    });
  // Only what changed is written: an address or email sent again as it is is not encrypted again.
  const changed: Changes = {};
  for (const key of fields) (changed as Record<string, unknown>)[key] = changes[key];
  return { changes: changed, event: { topic: 'cart.updated', payload } };
}

export async function addDiscountCode(deps: Deps, cartId: string, code: string): Promise<Cart> {
  const upper = code.trim().toUpperCase();
  const cart = await loadCart(deps, cartId);
  assertOpen(cart);
  const priced = await priceCart(deps, {
    ...cart,
    discount_codes: [...new Set([...cart.discount_codes, upper])],
  });
  const rejection = priced.discounts.rejected.find((r) => r.code === upper);
  if (rejection) {
    throw new AppError(
      DiscountErrors.DISCOUNT_CODE_INVALID,
      `Code ${upper} cannot be used: ${rejection.reason.replaceAll('_', ' ')}`,
      [{ code: upper, reason: rejection.reason }],
    );
  }
  const promotion = priced.discounts.applied.find((a) => a.code === upper);
  return mutateCart(
    deps,
    cartId,
    (current) =>
      current.discount_codes.includes(upper)
        ? null
        : {
            changes: { discount_codes: [...current.discount_codes, upper] },
            event: {
              topic: 'cart.discount_applied',
              payload: { code: upper, promotion_id: promotion?.promotion_id ?? null },
            },
          },
    cart,
  );
}

export async function removeDiscountCode(deps: Deps, cartId: string, code: string): Promise<Cart> {
  const upper = code.trim().toUpperCase();
  return mutateCart(deps, cartId, (current) =>
    current.discount_codes.includes(upper)
      ? {
          changes: { discount_codes: current.discount_codes.filter((c) => c !== upper) },
          event: { topic: 'cart.discount_removed', payload: { code: upper } },
        }
      : null,
  );
}

export interface PricedCart {
  cart: Cart;
  region: Region;
  shipping_option: ShippingOption | null;
  shipping_amount: number;
  discounts: EngineResult;
  totals: CartTotals;
  weight_grams: number;
}

/**
 * Runs the discount engine and the totals engine over a cart: promotions (one query), the shipping
 * option (one query when chosen) and the region (cached). Every cart and checkout total comes from here.
 */
export async function priceCart(deps: Deps, cart: Cart, at: string = now()): Promise<PricedCart> {
  const region = await getRegionCached(deps, cart.region_id);
  const [promotions, option] = await Promise.all([
    cart.discount_codes.length > 0
      ? promotionsForCart(deps.db, cart.discount_codes)
      : automaticPromotionsCached(deps),
    // An option deleted or switched off since the shopper chose it no longer applies: they choose again.
    cart.shipping_option_id
      ? shippingOptionCached(deps, cart.shipping_option_id).then(
          (found) => (found.active ? found : null),
          () => null,
        )
      : Promise.resolve(null),
  ]);
  const subtotal = cart.items.reduce((s, i) => s + i.unit_price * i.quantity, 0);
  const weight_grams = cart.items.reduce((s, i) => s + i.weight_grams * i.quantity, 0);
  const shipping_amount = option ? (shippingPrice(option, { subtotal, weight_grams }) ?? 0) : 0;
  // A customer's groups come from identity, read only when a promotion in play asks for a group.
  const customer_group_ids =
    cart.customer_id && promotions.some((p) => p.conditions.customer_group_ids?.length)
      ? await customerGroupIds(deps.db, cart.customer_id)
      : [];
  const discounts = applyPromotions(promotions, {
    lines: cart.items.map((i) => ({ ...i })),
    currency_code: cart.currency_code,
    shipping_amount,
    codes: cart.discount_codes,
    customer_group_ids,
    customer_usage: new Map(),
    customer_known: cart.customer_id !== null,
    at,
  });
  const totals = computeTotals({
    currency_code: cart.currency_code,
    tax_inclusive: region.tax_inclusive === 1,
    lines: cart.items,
    line_discounts: discounts.line_discounts,
    shipping_amount,
    shipping_discount: discounts.shipping_discount,
    shipping_tax_rate_bp: region.default_tax_rate_bp,
  });
  return { cart, region, shipping_option: option, shipping_amount, discounts, totals, weight_grams };
}

export function cartView(priced: PricedCart) {
  const { cart, totals, discounts } = priced;
  return {
    id: cart.id,
    region_id: cart.region_id,
    currency_code: cart.currency_code,
    customer_id: cart.customer_id,
    email: cart.email,
    status: cart.status,
    shipping_address: cart.shipping_address,
    billing_address: cart.billing_address,
    shipping_option_id: cart.shipping_option_id,
    discount_codes: cart.discount_codes,
    items: cart.items.map((item) => {
      const line = totals.lines.get(item.id)!;
      return {
        id: item.id,
        variant_id: item.variant_id,
        product_id: item.product_id,
        title: item.title,
        product_title: item.product_title,
        sku: item.sku,
        quantity: item.quantity,
        unit_price: item.unit_price,
        original_unit_price: item.original_unit_price,
        tax_rate_bp: item.tax_rate_bp,
        subtotal: line.subtotal,
        discount_total: line.discount_amount,
        tax_total: line.tax_amount,
        total: line.amount_incl_tax,
      };
    }),
    discounts: discounts.applied.map((a: AppliedDiscount) => ({
      promotion_id: a.promotion_id,
      code: a.code,
      kind: a.kind,
      amount: a.amount + a.shipping_amount,
    })),
    tax_inclusive: priced.region.tax_inclusive === 1,
    subtotal: totals.subtotal,
    discount_total: totals.discount_total,
    shipping_total: totals.shipping_total,
    tax_total: totals.tax_total,
    total: totals.total,
    order_id: cart.order_id,
    created_at: cart.created_at,
    updated_at: cart.updated_at,
  };
}
