import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import type { AuthorizeResult, InitiateResult, PaymentProvider, PaymentSession } from './provider.js';

export const MANUAL_METHODS = ['cash_on_delivery', 'bank_transfer'] as const;

/**
 * The default provider: no money moves online. The order is placed with the payment authorized
 * (a promise to pay), and staff mark it paid (capture) when the cash or the transfer arrives.
 */
export class ManualProvider implements PaymentProvider {
  readonly id = 'manual';

  constructor(private readonly options: { bankDetails?: string } = {}) {}

  async initiate(session: PaymentSession): Promise<InitiateResult> {
    const method = session.method ?? 'bank_transfer';
    if (!(MANUAL_METHODS as readonly string[]).includes(method)) {
      throw new AppError(
        PlatformErrors.VALIDATION_FAILED,
        `Manual payments support ${MANUAL_METHODS.join(', ')}, not ${method}`,
      );
    }
    const client_data: Record<string, unknown> = { method };
    if (method === 'bank_transfer') {
      // The transfer reference lets staff match an incoming transfer to this payment.
      client_data.transfer_reference = session.payment_id.slice(-10).toUpperCase();
      if (this.options.bankDetails) client_data.bank_details = this.options.bankDetails;
    }
    return { provider_reference: null, client_data, data: { method } };
  }

  async authorize(session: PaymentSession): Promise<AuthorizeResult> {
    return { outcome: 'authorized', data: session.data };
  }

  async capture(session: PaymentSession): Promise<{ data: Record<string, unknown> }> {
    return { data: session.data };
  }

  async refund(): Promise<{ provider_reference: string | null }> {
    // Paid back by hand (cash or transfer); the refund row is the record.
    return { provider_reference: null };
  }

  async cancel(): Promise<void> {}
}
