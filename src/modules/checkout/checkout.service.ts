import { sql } from 'kysely';
import type { Cache } from '../../platform/cache/cache.js';
import { type FieldCrypto, isEncrypted, normaliseEmail } from '../../platform/crypto/field-crypto.js';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { prepared } from '../../platform/db/prepared.js';
import { after, now } from '../../platform/db/time.js';
import { inTransaction, type Trx } from '../../platform/db/transaction.js';
import { type DomainEvent, emit, emitAll } from '../../platform/events/outbox.js';
import { AppError } from '../../platform/http/errors.js';
import { CartErrors } from '../cart/cart.errors.js';
import { assertCartCaller, type Cart, type PricedCart, priceCart, toCart } from '../cart/cart.service.js';
import { DiscountErrors } from '../discounts/discounts.errors.js';
import { redeemPromotions } from '../discounts/index.js';
import { commit, release, reserve } from '../inventory/index.js';
import {
  getOrder,
  ORDER_EMAIL_INDEX,
  type OrderLineRow,
  type OrderRow,
  orderEventPayload,
  toOrder,
} from '../orders/orders.service.js';
import {
  authorizePayment,
  cancelPayment,
  initiateAndAuthorize,
  type Payment,
  type PaymentProviders,
  refundPayment,
} from '../payments/index.js';
import { CheckoutErrors } from './checkout.errors.js';

export interface CheckoutDeps {
  db: Db;
  cache: Cache;
  providers: PaymentProviders;
  /** The context's key ring: the order's personal fields are encrypted in memory, no extra SQL. */
  crypto: FieldCrypto;
  /** Who is asking (HTTP calls): a customer's cart completes only for that customer (see cart Deps). */
  caller?: () => Promise<string | null>;
}

export interface PaymentChoice {
  provider?: string;
  method?: string;
  capture_mode?: 'automatic' | 'manual';
  /** What the storefront got from the provider (a Stripe payment method id, a PayPal approval). */
  data?: Record<string, unknown>;
}

/**
 * Test-only fault injection: a hook that throws between steps simulates a crash there (the process
 * dies before the next step and before any compensation runs).
 */
export const checkoutFaults: { afterAuthorize?: (cartId: string) => void } = {};

const LOCK_MS = 60_000;
const RESERVATION_MS = 15 * 60_000;
const REFERENCE = 'cart';

/**
 * Completes a cart into an order, in explicit steps each with its compensation:
 *   1. validate + lock the cart      (undo: reopen the cart)
 *   2. reserve inventory             (undo: release the reservations)
 *   3. authorize the payment         (undo: void the authorization)
 *   4. create the order and          (atomic with 5; a failure rolls both back)
 *   5. commit the reservations and redeem the promotions.
 * The lock is a guarded UPDATE (open → completing), so a concurrent completion of the same cart gets
 * the order once it exists, or CART_COMPLETING while the first is still running; never a second order.
 * A crash after step 3 leaves the cart `completing` past its lock; `recoverCheckouts` then voids the
 * authorization and releases the stock (the order does not exist), or finishes the cart (it does).
 */
export async function completeCart(deps: CheckoutDeps, cartId: string, choice: PaymentChoice = {}) {
  const { db } = deps;
  const lockedUntil = after(LOCK_MS);
  // Guests resolve to null without a query; a customer's cart locks only for that customer.
  const caller = deps.caller ? await deps.caller() : undefined;
  const [locked] = await lockCart(
    db,
    { id: cartId, locked_until: lockedUntil, at: now(), caller: caller ?? null },
    caller === undefined ? 'anyone' : caller === null ? 'guest' : 'customer',
  );
  if (!locked) return alreadyCompleting(deps, cartId);
  const cart = await toCart(locked, deps.crypto);

  let priced: PricedCart;
  try {
    priced = await validate(deps, cart);
  } catch (error) {
    await reopen(db, cart.id);
    throw error;
  }

  const reserved = await inTransaction(db, async (trx) => {
    const result = await reserve(trx, {
      lines: cart.items.map((i) => ({ variant_id: i.variant_id, quantity: i.quantity })),
      region_id: cart.region_id,
      reference_type: REFERENCE,
      reference_id: cart.id,
      expires_at: after(RESERVATION_MS),
      actor: 'checkout',
      reason: 'checkout',
    });
    if (!result.ok) await reopenIn(trx, cart.id);
    return result;
  });
  if (!reserved.ok) {
    throw new AppError(
      CartErrors.INSUFFICIENT_STOCK,
      'Some items are no longer in stock',
      reserved.shortages,
    );
  }

  let payment: Payment;
  try {
    payment = await authorize(deps, cart, priced, choice);
  } catch (error) {
    await compensate(deps, cart.id, null);
    throw error;
  }
  checkoutFaults.afterAuthorize?.(cart.id);

  try {
    const { order, lines } = await inTransaction(db, (trx) =>
      createOrder(trx, deps.crypto, priced, payment, locked),
    );
    return { order: toOrder(order, lines), payment };
  } catch (error) {
    await compensate(deps, cart.id, payment.id);
    throw error;
  }
}

async function alreadyCompleting(deps: CheckoutDeps, cartId: string) {
  const row = await deps.db
    .selectFrom('carts')
    .select(['status', 'order_id', 'customer_id'])
    .where('id', '=', cartId)
    .executeTakeFirst();
  if (!row) throw new AppError(CartErrors.CART_NOT_FOUND, `Cart ${cartId} not found`);
  await assertCartCaller(deps, { id: cartId, customer_id: row.customer_id });
  if (row.status === 'completed' && row.order_id) {
    return { order: await getOrder(deps, row.order_id), payment: null };
  }
  throw new AppError(CartErrors.CART_COMPLETING, 'The cart is being checked out by another request');
}

async function validate(deps: CheckoutDeps, cart: Cart): Promise<PricedCart> {
  const missing: { field: string; message: string }[] = [];
  if (cart.items.length === 0) missing.push({ field: 'items', message: 'the cart is empty' });
  if (!cart.email) missing.push({ field: 'email', message: 'an email is required' });
  if (!cart.shipping_address)
    missing.push({ field: 'shipping_address', message: 'a shipping address is required' });
  if (!cart.shipping_option_id)
    missing.push({ field: 'shipping_option_id', message: 'choose a shipping option' });
  if (missing.length > 0)
    throw new AppError(CartErrors.CART_NOT_READY, 'The cart is not ready for checkout', missing);
  const priced = await priceCart(deps, cart);
  if (priced.discounts.rejected.length > 0) {
    const [first] = priced.discounts.rejected;
    throw new AppError(
      DiscountErrors.DISCOUNT_CODE_INVALID,
      `Code ${first!.code} can no longer be used: ${first!.reason}`,
      priced.discounts.rejected,
    );
  }
  if (!priced.shipping_option) {
    throw new AppError(CartErrors.CART_NOT_READY, 'The chosen shipping option is no longer offered', [
      { field: 'shipping_option_id', message: 'choose a shipping option' },
    ]);
  }
  return priced;
}

async function authorize(
  deps: CheckoutDeps,
  cart: Cart,
  priced: PricedCart,
  choice: PaymentChoice,
): Promise<Payment> {
  const provider = choice.provider ?? 'manual';
  const input = {
    reference_type: 'cart' as const,
    reference_id: cart.id,
    provider,
    method: choice.method ?? (provider === 'manual' ? 'bank_transfer' : 'card'),
    amount: priced.totals.total,
    currency_code: cart.currency_code,
    capture_mode: choice.capture_mode,
  };
  // A session opened earlier (Stripe client secret, PayPal approval) is reused while its amount still
  // matches; manual payments have no session, so they skip the lookup.
  const existing =
    provider === 'manual'
      ? undefined
      : await deps.db
          .selectFrom('payments')
          .select(['id', 'amount', 'status', 'provider'])
          .where('reference_type', '=', 'cart')
          .where('reference_id', '=', cart.id)
          .where('status', 'in', ['pending', 'authorized', 'captured'])
          .orderBy('id', 'desc')
          .executeTakeFirst();
  const reuse = existing && existing.amount === priced.totals.total && existing.provider === provider;
  const outcome = reuse
    ? await authorizePayment(deps.db, deps.providers, existing.id, choice.data ?? {})
    : await initiateAndAuthorize(deps.db, deps.providers, input, choice.data ?? {});
  if (!outcome.ok) {
    if (outcome.requires_action) {
      throw new AppError(CheckoutErrors.CHECKOUT_PAYMENT_ACTION_REQUIRED, outcome.message, {
        payment_id: outcome.payment.id,
      });
    }
    throw new AppError(
      CheckoutErrors.CHECKOUT_PAYMENT_DECLINED,
      `The payment was declined (${outcome.code})`,
      {
        payment_id: outcome.payment.id,
        decline_code: outcome.code,
      },
    );
  }
  return outcome.payment;
}

/** Steps 4 and 5, in one transaction: the order, its lines, the promotions' counts, the committed stock. */
async function createOrder(
  trx: Trx,
  crypto: FieldCrypto,
  priced: PricedCart,
  payment: Payment,
  /** The cart's row as stored: its personal fields are already sealed (see sealedAgain). */
  stored: { email: string | null; shipping_address: string | null; billing_address: string | null },
): Promise<{ order: OrderRow; lines: OrderLineRow[] }> {
  const { cart, totals, discounts } = priced;
  const orderId = newId('ord');
  const redeemed = await redeemPromotions(trx, {
    promotion_ids: discounts.applied.map((a) => a.promotion_id),
    customer_key: cart.customer_id ?? (cart.email ? `email:${cart.email.toLowerCase()}` : null),
    order_id: orderId,
  });
  if (!redeemed.ok) {
    throw new AppError(
      DiscountErrors.PROMOTION_LIMIT_REACHED,
      'A promotion on the cart was used up meanwhile',
      redeemed,
    );
  }
  // Uncontended writes first; then the shared rows (the levels of popular variants, the order-number
  // counter), whose PostgreSQL row locks last until the transaction ends.
  const at = now();
  await markCompleted(trx, { id: cart.id, order_id: orderId, at });
  // commit's events join the completion's own in the one emitAll below.
  const inventoryEvents: DomainEvent[] = [];
  const { committed } = await commit(
    trx,
    { reference_type: REFERENCE, reference_id: cart.id, actor: 'checkout', reason: `order ${orderId}` },
    inventoryEvents,
  );
  // The number counter is one row every checkout updates: take it as late as possible, so its lock
  // (PostgreSQL) is held only for the last few statements of the transaction.
  const [counter] = await nextNumber(trx, { name: 'order_number' });
  if (!counter) throw new Error('the order_number counter is missing');
  const paymentStatus =
    payment.status === 'captured' ? 'captured' : payment.status === 'authorized' ? 'authorized' : 'awaiting';
  const order: OrderRow = {
    id: orderId,
    number: Number(counter.value),
    cart_id: cart.id,
    region_id: cart.region_id,
    currency_code: cart.currency_code,
    customer_id: cart.customer_id,
    email: cart.email!,
    email_index: null,
    status: paymentStatus === 'captured' ? 'paid' : 'pending',
    payment_status: paymentStatus,
    fulfillment_status: 'not_fulfilled',
    payment_id: payment.id,
    shipping_address: JSON.stringify(cart.shipping_address),
    billing_address: cart.billing_address ? JSON.stringify(cart.billing_address) : null,
    shipping_option_id: cart.shipping_option_id,
    tax_inclusive: priced.region.tax_inclusive,
    subtotal: totals.subtotal,
    discount_total: totals.discount_total,
    shipping_total: totals.shipping_total,
    tax_total: totals.tax_total,
    total: totals.total,
    refunded_total: 0,
    discounts: JSON.stringify(
      discounts.applied.map((a) => ({
        promotion_id: a.promotion_id,
        code: a.code,
        kind: a.kind,
        amount: a.amount + a.shipping_amount,
      })),
    ),
    allocations: JSON.stringify(committed),
    canceled_at: null,
    created_at: at,
    updated_at: at,
  };
  // Stored encrypted; `order` (in clear) is what the response and the events are built from.
  await insertOrder(trx, {
    ...order,
    email: sealedAgain(crypto, stored.email) ?? crypto.encrypt(order.email),
    email_index: crypto.blindIndex(ORDER_EMAIL_INDEX, normaliseEmail(order.email)),
    shipping_address: sealedAgain(crypto, stored.shipping_address) ?? crypto.encrypt(order.shipping_address),
    billing_address: order.billing_address
      ? (sealedAgain(crypto, stored.billing_address) ?? crypto.encrypt(order.billing_address))
      : null,
  });
  const lines = cart.items.map((item) => {
    const line = totals.lines.get(item.id)!;
    return {
      id: newId('oli'),
      order_id: orderId,
      variant_id: item.variant_id,
      product_id: item.product_id,
      title: item.product_title === item.title ? item.title : `${item.product_title} – ${item.title}`,
      sku: item.sku,
      quantity: item.quantity,
      unit_price: item.unit_price,
      subtotal: line.subtotal,
      discount_total: line.discount_amount,
      tax_rate_bp: item.tax_rate_bp,
      tax_total: line.tax_amount,
      total: line.amount_incl_tax,
      fulfilled_quantity: 0,
      returned_quantity: 0,
    };
  });
  await insertLines(trx, {
    ids: lines.map((l) => l.id),
    order_id: orderId,
    variant_ids: lines.map((l) => l.variant_id),
    product_ids: lines.map((l) => l.product_id),
    titles: lines.map((l) => l.title),
    skus: lines.map((l) => l.sku),
    quantities: lines.map((l) => l.quantity),
    unit_prices: lines.map((l) => l.unit_price),
    subtotals: lines.map((l) => l.subtotal),
    discount_totals: lines.map((l) => l.discount_total),
    tax_rates_bp: lines.map((l) => l.tax_rate_bp),
    tax_totals: lines.map((l) => l.tax_total),
    totals: lines.map((l) => l.total),
  });
  const ids = { visitor_id: cart.visitor_id, session_id: cart.session_id };
  const placed = orderEventPayload(order, lines, ids);
  // One pair of statements for all of the completion's events (see emitAll).
  await emitAll(trx, [
    ...inventoryEvents,
    { topic: 'order.placed', payload: placed },
    {
      topic: 'cart.completed',
      payload: {
        cart_id: cart.id,
        customer_id: cart.customer_id,
        region_id: cart.region_id,
        completed_at: at,
        visitor_id: cart.visitor_id,
        order_id: orderId,
      },
    },
    ...(paymentStatus === 'captured' ? [{ topic: 'order.paid', payload: placed }] : []),
  ]);
  return { order, lines };
}

/**
 * The order copies the cart's email and addresses: their ciphertext on the cart, when sealed with the
 * active key, is reused as it is (the same plaintext; the address JSON parses to the same object),
 * which saves an AES-GCM encryption per field on every completion. Otherwise (a legacy plaintext
 * value, or a key rotated since) the caller encrypts afresh. No associated data binds a value to its
 * row, so a copy decrypts like its original.
 */
function sealedAgain(crypto: FieldCrypto, stored: string | null): string | null {
  return stored !== null && isEncrypted(stored) && crypto.keyIdOf(stored) === crypto.activeKeyId()
    ? stored
    : null;
}

/** Step 1's guarded UPDATE (open → completing). Shapes: `anyone` (internal), `guest`, `customer`. */
const lockCart = prepared(
  (db, a: { id: string; locked_until: string; at: string; caller: string | null }, shape) => {
    const lock = db
      .updateTable('carts')
      .set({ status: 'completing', locked_until: a.locked_until, updated_at: a.at })
      .where('id', '=', a.id)
      .where('status', '=', 'open');
    const own =
      shape === 'anyone'
        ? lock
        : lock.where((eb) =>
            shape === 'guest'
              ? eb('customer_id', 'is', null)
              : eb.or([eb('customer_id', 'is', null), eb('customer_id', '=', a.caller)]),
          );
    return own.returningAll();
  },
);

// The writes of every completion, compiled once per shape (prepared): building and compiling them
// cost more CPU than SQLite takes to run them.
const markCompleted = prepared((db, a: { id: string; order_id: string; at: string }) =>
  db
    .updateTable('carts')
    .set({
      status: 'completed',
      order_id: a.order_id,
      completed_at: a.at,
      locked_until: null,
      updated_at: a.at,
    })
    .where('id', '=', a.id),
);

const nextNumber = prepared((db, a: { name: string }) =>
  db.updateTable('counters').set({ value: sql`value + 1` }).where('name', '=', a.name).returning('value'),
);

const insertOrder = prepared((db, a: OrderRow) => db.insertInto('orders').values(a));

const insertLines = prepared(
  (
    db,
    a: {
      ids: string[];
      order_id: string;
      variant_ids: string[];
      product_ids: string[];
      titles: string[];
      skus: Array<string | null>;
      quantities: number[];
      unit_prices: number[];
      subtotals: number[];
      discount_totals: number[];
      tax_rates_bp: number[];
      tax_totals: number[];
      totals: number[];
    },
  ) =>
    db.insertInto('order_line_items').values(
      a.ids.map((id, i) => ({
        id,
        order_id: a.order_id,
        variant_id: a.variant_ids[i]!,
        product_id: a.product_ids[i]!,
        title: a.titles[i]!,
        sku: a.skus[i] ?? null,
        quantity: a.quantities[i]!,
        unit_price: a.unit_prices[i]!,
        subtotal: a.subtotals[i]!,
        discount_total: a.discount_totals[i]!,
        tax_rate_bp: a.tax_rates_bp[i]!,
        tax_total: a.tax_totals[i]!,
        total: a.totals[i]!,
        fulfilled_quantity: 0,
        returned_quantity: 0,
      })),
    ),
);

async function reopenIn(trx: Trx, cartId: string): Promise<void> {
  await trx
    .updateTable('carts')
    .set({ status: 'open', locked_until: null, updated_at: now() })
    .where('id', '=', cartId)
    .where('status', '=', 'completing')
    .execute();
}

async function reopen(db: Db, cartId: string): Promise<void> {
  await inTransaction(db, (trx) => reopenIn(trx, cartId));
}

/** Undoes steps 3 and 2 and reopens the cart: the payment is voided, the stock released. */
async function compensate(
  deps: Pick<CheckoutDeps, 'db' | 'providers'>,
  cartId: string,
  paymentId: string | null,
): Promise<void> {
  if (paymentId) await cancelPayment(deps.db, deps.providers, paymentId);
  await inTransaction(deps.db, async (trx) => {
    await release(trx, {
      reference_type: REFERENCE,
      reference_id: cartId,
      actor: 'checkout',
      reason: 'checkout failed',
    });
    await reopenIn(trx, cartId);
    await emit(trx, { topic: 'checkout.failed', payload: { cart_id: cartId, payment_id: paymentId } });
  });
}

/**
 * Resolves checkouts that stopped half-way (a crash between steps): carts still `completing` after
 * their lock expired. If the order exists the cart is marked completed; otherwise every payment of the
 * cart that is pending or authorized is voided, the reservations are released and the cart reopens.
 */
export async function recoverCheckouts(
  deps: Pick<CheckoutDeps, 'db' | 'providers'>,
  at: string = now(),
): Promise<{ recovered: string[] }> {
  const stuck = await deps.db
    .selectFrom('carts')
    .select(['id'])
    .where('status', '=', 'completing')
    .where('locked_until', '<', at)
    .limit(100)
    .execute();
  const recovered: string[] = [];
  for (const { id } of stuck) {
    const order = await deps.db
      .selectFrom('orders')
      .select('id')
      .where('cart_id', '=', id)
      .executeTakeFirst();
    if (order) {
      await deps.db
        .updateTable('carts')
        .set({ status: 'completed', order_id: order.id, locked_until: null, updated_at: now() })
        .where('id', '=', id)
        .execute();
    } else {
      const payments = await deps.db
        .selectFrom('payments')
        .select(['id', 'status', 'amount_captured', 'amount_refunded'])
        .where('reference_type', '=', 'cart')
        .where('reference_id', '=', id)
        .where('status', 'in', ['pending', 'authorized', 'captured'])
        .execute();
      for (const payment of payments) {
        // Captured on authorization (automatic capture): the money goes back as a refund.
        if (payment.status === 'captured') {
          await refundPayment(deps.db, deps.providers, payment.id, {
            amount: payment.amount_captured - payment.amount_refunded,
            reason: 'checkout did not complete',
          });
        } else await cancelPayment(deps.db, deps.providers, payment.id);
      }
      await compensate(deps, id, null);
    }
    recovered.push(id);
  }
  return { recovered };
}
