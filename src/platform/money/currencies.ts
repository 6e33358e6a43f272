import { AppError } from '../http/errors.js';
import { MoneyErrors } from './money.errors.js';
import type { RoundingMode } from './rounding.js';

/**
 * A currency as Stratus prices in it. Codes are ISO 4217, stored and answered in lower case
 * (`eur`), accepted in any case. `minor_units` is the exponent: amounts are integers of 10^-minor_units
 * of the major unit (EUR 2 → cents, JPY 0 → yen, KWD 3 → fils).
 */
export interface Currency {
  code: string;
  name: string;
  symbol: string;
  minor_units: number;
  /**
   * How a computed fraction of a minor unit (tax, percentage discounts, proportional splits) becomes
   * a whole one. Every currency here uses commercial rounding (half away from zero), which is what
   * EU/UK/PL VAT rules and US sales-tax practice expect for per-line amounts.
   */
  rounding: RoundingMode;
  /**
   * Smallest amount cash can settle, in minor units (CHF 5 = 0.05). Card prices stay exact; only
   * `roundForCash` uses it.
   */
  cash_increment: number;
}

type Row = [code: string, name: string, symbol: string, minorUnits: number, cashIncrement?: number];

// ISO 4217 exponents. Kept deliberately to currencies a merchant is likely to price in; adding one is a
// one-line change (no migration: currencies are code, not data).
const ROWS: Row[] = [
  ['eur', 'Euro', '€', 2],
  ['pln', 'Polish złoty', 'zł', 2],
  ['usd', 'US dollar', '$', 2],
  ['gbp', 'Pound sterling', '£', 2],
  ['chf', 'Swiss franc', 'CHF', 2, 5],
  ['czk', 'Czech koruna', 'Kč', 2, 100],
  ['huf', 'Hungarian forint', 'Ft', 2, 500],
  ['sek', 'Swedish krona', 'kr', 2, 100],
  ['nok', 'Norwegian krone', 'kr', 2],
  ['dkk', 'Danish krone', 'kr', 2, 50],
  ['ron', 'Romanian leu', 'lei', 2],
  ['bgn', 'Bulgarian lev', 'лв', 2],
  ['uah', 'Ukrainian hryvnia', '₴', 2],
  ['try', 'Turkish lira', '₺', 2],
  ['cad', 'Canadian dollar', '$', 2, 5],
  ['aud', 'Australian dollar', '$', 2, 5],
  ['nzd', 'New Zealand dollar', '$', 2, 10],
  ['mxn', 'Mexican peso', '$', 2],
  ['brl', 'Brazilian real', 'R$', 2],
  ['cny', 'Chinese yuan', '¥', 2],
  ['inr', 'Indian rupee', '₹', 2],
  ['sgd', 'Singapore dollar', '$', 2],
  ['hkd', 'Hong Kong dollar', '$', 2],
  ['zar', 'South African rand', 'R', 2],
  ['aed', 'UAE dirham', 'د.إ', 2],
  ['jpy', 'Japanese yen', '¥', 0],
  ['krw', 'South Korean won', '₩', 0],
  ['isk', 'Icelandic króna', 'kr', 0],
  ['clp', 'Chilean peso', '$', 0],
  ['vnd', 'Vietnamese đồng', '₫', 0],
  ['kwd', 'Kuwaiti dinar', 'د.ك', 3],
  ['bhd', 'Bahraini dinar', '.د.ب', 3],
  ['jod', 'Jordanian dinar', 'د.ا', 3],
  ['omr', 'Omani rial', 'ر.ع.', 3],
  ['tnd', 'Tunisian dinar', 'د.ت', 3],
];

const BY_CODE = new Map<string, Currency>(
  ROWS.map(([code, name, symbol, minor_units, cash_increment]) => [
    code,
    Object.freeze({
      code,
      name,
      symbol,
      minor_units,
      rounding: 'half_up',
      cash_increment: cash_increment ?? 1,
    }),
  ]),
);

/** Every supported currency, sorted by code. */
export function currencies(): Currency[] {
  return [...BY_CODE.values()].sort((a, b) => a.code.localeCompare(b.code));
}

export function isCurrency(code: string): boolean {
  return BY_CODE.has(code.toLowerCase());
}

/**
 * The currency for `code` (any case).
 * @throws AppError UNKNOWN_CURRENCY (400) for a code Stratus does not support.
 */
export function currency(code: string): Currency {
  const found = BY_CODE.get(String(code).toLowerCase());
  if (!found)
    throw new AppError(MoneyErrors.UNKNOWN_CURRENCY, `Unknown currency ${JSON.stringify(code)}`, [
      { field: 'currency_code', message: 'is not a supported ISO 4217 currency code' },
    ]);
  return found;
}

/** The canonical (lower-case) code, or UNKNOWN_CURRENCY. */
export function currencyCode(code: string): string {
  return currency(code).code;
}
