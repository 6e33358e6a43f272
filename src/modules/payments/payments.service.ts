import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { prepared } from '../../platform/db/prepared.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { assertAmount, currencyCode } from '../../platform/money/index.js';
import { PaymentErrors } from './payments.errors.js';
import type { PaymentStatus, PaymentTable } from './payments.tables.js';
import type { PaymentSession } from './provider.js';
import type { PaymentProviders } from './providers.js';

export type PaymentRow = Selectable<PaymentTable>;

export interface Payment {
  id: string;
  reference_type: 'cart' | 'order';
  reference_id: string;
  provider: string;
  method: string | null;
  status: PaymentStatus;
  currency_code: string;
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  capture_mode: 'automatic' | 'manual';
  provider_reference: string | null;
  failure_code: string | null;
  created_at: string;
  updated_at: string;
}

export function toPayment(row: PaymentRow): Payment {
  const { data: _data, ...rest } = row;
  return rest;
}

function sessionOf(row: PaymentRow): PaymentSession {
  return {
    payment_id: row.id,
    amount: row.amount,
    currency_code: row.currency_code,
    capture_mode: row.capture_mode,
    method: row.method,
    provider_reference: row.provider_reference,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

function eventPayload(row: PaymentRow, extra: Record<string, unknown> = {}) {
  return {
    payment_id: row.id,
    reference_type: row.reference_type,
    reference_id: row.reference_id,
    provider: row.provider,
    amount: row.amount,
    amount_captured: row.amount_captured,
    amount_refunded: row.amount_refunded,
    currency_code: row.currency_code,
    status: row.status,
    ...extra,
  };
}

export async function getPaymentRow(db: DbOrTrx, id: string): Promise<PaymentRow> {
  const row = await db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(PaymentErrors.PAYMENT_NOT_FOUND, `Payment ${id} not found`);
  return row;
}

async function update(trx: Trx, id: string, changes: Partial<PaymentRow>): Promise<PaymentRow> {
  await trx
    .updateTable('payments')
    .set({ ...changes, updated_at: now() })
    .where('id', '=', id)
    .execute();
  return getPaymentRow(trx, id);
}

export interface InitiateInput {
  reference_type: 'cart' | 'order';
  reference_id: string;
  provider: string;
  method?: string | null;
  amount: number;
  currency_code: string;
  capture_mode?: 'automatic' | 'manual';
}

/** A pending payment row for `input`, opened with its provider (nothing is written yet). */
async function openPayment(providers: PaymentProviders, input: InitiateInput) {
  const provider = providers.get(input.provider);
  const amount = assertAmount(input.amount);
  if (amount === 0) throw new AppError(PlatformErrors.VALIDATION_FAILED, 'A payment amount must be positive');
  const at = now();
  const row: PaymentRow = {
    id: newId('pay'),
    reference_type: input.reference_type,
    reference_id: input.reference_id,
    provider: provider.id,
    method: input.method ?? null,
    status: 'pending',
    currency_code: currencyCode(input.currency_code),
    amount,
    amount_captured: 0,
    amount_refunded: 0,
    capture_mode: input.capture_mode ?? 'manual',
    provider_reference: null,
    data: '{}',
    failure_code: null,
    created_at: at,
    updated_at: at,
  };
  const opened = await provider.initiate(sessionOf(row));
  row.provider_reference = opened.provider_reference;
  row.data = JSON.stringify(opened.data);
  return { provider, row, opened };
}

/**
 * Opens a payment with the provider (a PaymentIntent, a PayPal order, a bank transfer reference).
 * The row is written first, so the provider call can carry our id as its idempotency key.
 */
export async function initiatePayment(
  db: Db,
  providers: PaymentProviders,
  input: InitiateInput,
): Promise<{ payment: Payment; client_data: Record<string, unknown> }> {
  const { row, opened: result } = await openPayment(providers, input);
  await inTransaction(db, async (trx) => {
    await insertPayment(trx, row);
    await emit(trx, { topic: 'payment.initiated', payload: eventPayload(row) });
  });
  return { payment: toPayment(row), client_data: result.client_data };
}

export type AuthorizeOutcome =
  | { ok: true; payment: Payment }
  | { ok: false; payment: Payment; code: string; message: string; requires_action: boolean };

/** Authorizes (or, with automatic capture, captures) the payment. A decline is a value, not a throw. */
export async function authorizePayment(
  db: Db,
  providers: PaymentProviders,
  id: string,
  input: Record<string, unknown> = {},
): Promise<AuthorizeOutcome> {
  const row = await getPaymentRow(db, id);
  if (row.status === 'authorized' || row.status === 'captured') return { ok: true, payment: toPayment(row) };
  if (row.status !== 'pending') {
    throw new AppError(PaymentErrors.PAYMENT_INVALID_STATE, `Payment ${id} is ${row.status}`);
  }
  const result = await providers.get(row.provider).authorize(sessionOf(row), input);
  if (result.outcome === 'requires_action') {
    return {
      ok: false,
      payment: toPayment(row),
      code: 'requires_action',
      message: 'The buyer must complete the payment with the provider',
      requires_action: true,
    };
  }
  return inTransaction(db, async (trx) => {
    if (result.outcome === 'declined') {
      const failed = await update(trx, id, { status: 'failed', failure_code: result.code });
      await emit(trx, {
        topic: 'payment.failed',
        payload: eventPayload(failed, { failure_code: result.code }),
      });
      return {
        ok: false,
        payment: toPayment(failed),
        code: result.code,
        message: result.message,
        requires_action: false,
      };
    }
    const captured = result.outcome === 'captured';
    const next = await update(trx, id, {
      status: captured ? 'captured' : 'authorized',
      amount_captured: captured ? row.amount : 0,
      data: JSON.stringify(result.data),
    });
    await emit(trx, {
      topic: captured ? 'payment.captured' : 'payment.authorized',
      payload: eventPayload(next),
    });
    return { ok: true, payment: toPayment(next) };
  });
}

/** Captures an authorized payment (for manual payments: staff mark it paid). */
export async function capturePayment(
  db: Db,
  providers: PaymentProviders,
  id: string,
  amount?: number,
): Promise<Payment> {
  const row = await getPaymentRow(db, id);
  if (row.status === 'captured') return toPayment(row);
  if (row.status !== 'authorized') {
    throw new AppError(PaymentErrors.PAYMENT_INVALID_STATE, `Payment ${id} is ${row.status}, not authorized`);
  }
  const value = amount === undefined ? row.amount : assertAmount(amount);
  if (value <= 0 || value > row.amount) {
    throw new AppError(
      PlatformErrors.VALIDATION_FAILED,
      `Capture amount must be between 1 and ${row.amount}`,
    );
  }
  const result = await providers.get(row.provider).capture(sessionOf(row), value);
  return inTransaction(db, async (trx) => {
    const moved = await trx
      .updateTable('payments')
      .set({
        status: 'captured',
        amount_captured: value,
        data: JSON.stringify(result.data),
        updated_at: now(),
      })
      .where('id', '=', id)
      .where('status', '=', 'authorized')
      .executeTakeFirst();
    const next = await getPaymentRow(trx, id);
    if (Number(moved.numUpdatedRows) === 1) {
      await emit(trx, { topic: 'payment.captured', payload: eventPayload(next) });
    }
    return toPayment(next);
  });
}

/**
 * Refunds part or all of what was captured. The amount is reserved on the row first (a conditional
 * update, so concurrent refunds can never exceed the capture), then sent to the provider; if the
 * provider fails the reservation is undone.
 */
export async function refundPayment(
  db: Db,
  providers: PaymentProviders,
  id: string,
  input: { amount: number; reason?: string | null },
): Promise<{ payment: Payment; refund_id: string }> {
  const amount = assertAmount(input.amount);
  if (amount === 0) throw new AppError(PlatformErrors.VALIDATION_FAILED, 'A refund amount must be positive');
  const refundId = newId('ref');
  const row = await inTransaction(db, async (trx) => {
    const current = await getPaymentRow(trx, id);
    if (!['captured', 'partially_refunded'].includes(current.status)) {
      throw new AppError(
        PaymentErrors.PAYMENT_INVALID_STATE,
        `Payment ${id} is ${current.status}, not captured`,
      );
    }
    const reserved = await trx
      .updateTable('payments')
      .set((eb) => ({ amount_refunded: eb('amount_refunded', '+', amount), updated_at: now() }))
      .where('id', '=', id)
      .where((eb) => eb(eb('amount_captured', '-', eb.ref('amount_refunded')), '>=', amount))
      .executeTakeFirst();
    if (Number(reserved.numUpdatedRows) !== 1) {
      throw new AppError(
        PaymentErrors.PAYMENT_REFUND_EXCEEDS_CAPTURED,
        `At most ${current.amount_captured - current.amount_refunded} can still be refunded`,
      );
    }
    await trx
      .insertInto('payment_refunds')
      .values({
        id: refundId,
        payment_id: id,
        amount,
        reason: input.reason ?? null,
        provider_reference: null,
        created_at: now(),
      })
      .execute();
    return current;
  });
  let providerReference: string | null;
  try {
    ({ provider_reference: providerReference } = await providers
      .get(row.provider)
      .refund(sessionOf(row), amount, refundId));
  } catch (error) {
    await inTransaction(db, async (trx) => {
      await trx.deleteFrom('payment_refunds').where('id', '=', refundId).execute();
      await trx
        .updateTable('payments')
        .set((eb) => ({ amount_refunded: eb('amount_refunded', '-', amount), updated_at: now() }))
        .where('id', '=', id)
        .execute();
    });
    throw error;
  }
  const payment = await inTransaction(db, async (trx) => {
    await trx
      .updateTable('payment_refunds')
      .set({ provider_reference: providerReference })
      .where('id', '=', refundId)
      .execute();
    const current = await getPaymentRow(trx, id);
    const next = await update(trx, id, {
      status: current.amount_refunded >= current.amount_captured ? 'refunded' : 'partially_refunded',
    });
    await emit(trx, {
      topic: 'payment.refunded',
      payload: eventPayload(next, { refund_id: refundId, refund_amount: amount }),
    });
    return toPayment(next);
  });
  return { payment, refund_id: refundId };
}

/** Voids a payment that will not be captured: the compensation of a failed checkout. Idempotent. */
export async function cancelPayment(db: Db, providers: PaymentProviders, id: string): Promise<Payment> {
  const row = await getPaymentRow(db, id);
  if (row.status === 'canceled' || row.status === 'failed') return toPayment(row);
  if (row.status !== 'pending' && row.status !== 'authorized') {
    throw new AppError(
      PaymentErrors.PAYMENT_INVALID_STATE,
      `Payment ${id} is ${row.status}; refund it instead`,
    );
  }
  await providers.get(row.provider).cancel(sessionOf(row));
  return inTransaction(db, async (trx) => {
    const next = await update(trx, id, { status: 'canceled' });
    await emit(trx, { topic: 'payment.canceled', payload: eventPayload(next) });
    return toPayment(next);
  });
}

export async function listPayments(
  db: DbOrTrx,
  referenceType: 'cart' | 'order',
  referenceId: string,
): Promise<Payment[]> {
  const rows = await db
    .selectFrom('payments')
    .selectAll()
    .where('reference_type', '=', referenceType)
    .where('reference_id', '=', referenceId)
    .orderBy('id')
    .execute();
  return rows.map(toPayment);
}

// Every checkout writes one payment row: the insert is compiled once (prepared).
const insertPayment = prepared((db, a: Selectable<PaymentTable>) => db.insertInto('payments').values(a));

/**
 * Opens and authorizes a payment in one go (checkout without an earlier payment session): both
 * provider calls first, then ONE row and ONE event with the outcome, so the hot path writes little.
 * The row is written even for a decline, so every attempt stays on record.
 */
export async function initiateAndAuthorize(
  db: Db,
  providers: PaymentProviders,
  input: InitiateInput,
  authorization: Record<string, unknown> = {},
): Promise<AuthorizeOutcome> {
  const { provider, row } = await openPayment(providers, input);
  let result: Awaited<ReturnType<typeof provider.authorize>>;
  try {
    result = await provider.authorize(sessionOf(row), authorization);
  } catch (error) {
    // The provider may hold an open intent/order: keep the row so it can be voided or retried.
    await inTransaction(db, async (trx) => {
      await insertPayment(trx, row);
      await emit(trx, { topic: 'payment.initiated', payload: eventPayload(row) });
    });
    throw error;
  }
  let topic = 'payment.initiated';
  if (result.outcome === 'declined') {
    row.status = 'failed';
    row.failure_code = result.code;
    topic = 'payment.failed';
  } else if (result.outcome === 'authorized' || result.outcome === 'captured') {
    row.status = result.outcome;
    row.amount_captured = result.outcome === 'captured' ? row.amount : 0;
    row.data = JSON.stringify(result.data);
    topic = `payment.${result.outcome}`;
  }
  await inTransaction(db, async (trx) => {
    await insertPayment(trx, row);
    await emit(trx, { topic, payload: eventPayload(row) });
  });
  const payment = toPayment(row);
  if (result.outcome === 'declined') {
    return { ok: false, payment, code: result.code, message: result.message, requires_action: false };
  }
  if (result.outcome === 'requires_action') {
    return {
      ok: false,
      payment,
      code: 'requires_action',
      message: 'The buyer must complete the payment with the provider',
      requires_action: true,
    };
  }
  return { ok: true, payment };
}
