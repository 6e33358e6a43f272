import type { FieldCrypto } from '../../platform/crypto/field-crypto.js';
import type { Db } from '../../platform/db/database.js';
import type { Trx } from '../../platform/db/transaction.js';

/**
 * A module's part of a customer's data export (orders, reviews, events…). Registered from the
 * module's index.ts; `collect` returns plain JSON with the personal data decrypted (with `crypto`,
 * the app's key ring).
 *
 * ```ts
 * registerExportSection({ name: 'orders', collect: (db, customerId, crypto) => exportOrders(db, crypto, customerId) });
 * ```
 */
export interface ExportSection {
  name: string;
  collect(db: Db, customerId: string, crypto: FieldCrypto): Promise<unknown>;
}

/**
 * A module's part of an erasure. It runs inside the erasure's transaction: anonymise personal fields
 * (names, addresses, emails, free text) and keep what the law requires for accounting (amounts,
 * taxes, currency, dates, line items), so that orders still add up. Throwing aborts the erasure.
 *
 * ```ts
 * registerErasureHandler({ name: 'orders', erase: (trx, customerId, { crypto }) => anonymiseOrders(trx, crypto, customerId) });
 * ```
 */
export interface ErasureHandler {
  name: string;
  erase(trx: Trx, customerId: string, subject: ErasureSubject): Promise<void>;
}

/** What a handler may need beyond the customer id. */
export interface ErasureSubject {
  /** The app's key ring: placeholders written over personal data are encrypted like it was. */
  crypto: FieldCrypto;
  /** The customer's email before erasure (to find guest records placed with it). */
  email: string;
}

/**
 * Purges behavioural data older than the retention setting (analytics events, for instance).
 * `eventCutoff` comes from the `event_retention_days` security setting; it is null while no owner has
 * set it, and the module then keeps its own default window. Returns the number of rows deleted.
 *
 * ```ts
 * registerRetentionHandler({ name: 'analytics', purge: (db, { eventCutoff }) => purgeEvents(db, eventCutoff) });
 * ```
 */
export interface RetentionHandler {
  name: string;
  purge(db: Db, settings: { eventCutoff: string | null }): Promise<number>;
}

const sections = new Map<string, ExportSection>();
const erasers = new Map<string, ErasureHandler>();
const retention = new Map<string, RetentionHandler>();

export function registerExportSection(section: ExportSection): void {
  sections.set(section.name, section);
}
export function registerErasureHandler(handler: ErasureHandler): void {
  erasers.set(handler.name, handler);
}
export function registerRetentionHandler(handler: RetentionHandler): void {
  retention.set(handler.name, handler);
}
export const exportSections = () => [...sections.values()];
export const erasureHandlers = () => [...erasers.values()];
export const retentionHandlers = () => [...retention.values()];
