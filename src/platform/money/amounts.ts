import { AppError } from '../http/errors.js';
import { currency } from './currencies.js';
import { MoneyErrors } from './money.errors.js';
import { divideRounded, type RoundingMode } from './rounding.js';

/** Money on the wire and in code: integer minor units beside a lower-case ISO 4217 code. */
export interface Money {
  amount: number;
  currency_code: string;
}

/**
 * Checks that `amount` is a whole, safe number of minor units (and not negative unless allowed).
 * @throws AppError INVALID_AMOUNT (400), naming `field`.
 */
export function assertAmount(
  amount: unknown,
  options: { field?: string; allowNegative?: boolean } = {},
): number {
  const field = options.field ?? 'amount';
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount))
    throw new AppError(MoneyErrors.INVALID_AMOUNT, `${field} must be a whole number of minor units`, [
      { field, message: 'must be an integer number of minor units' },
    ]);
  if (amount < 0 && !options.allowNegative)
    throw new AppError(MoneyErrors.INVALID_AMOUNT, `${field} must not be negative`, [
      { field, message: 'must be >= 0' },
    ]);
  return amount;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a major-unit decimal ("261.96", 12.5) into minor units of `code`, exactly (no float maths).
 * Digits past the currency's precision are rounded with `mode` (default: the currency's rule); pass
 * `mode: 'exact'` to refuse them instead.
 * @throws AppError INVALID_AMOUNT for text that is not a plain decimal, UNKNOWN_CURRENCY for the code.
 */
export function fromMajor(
  value: string | number,
  code: string,
  mode: RoundingMode | 'exact' = 'half_up',
): number {
  const { minor_units } = currency(code);
  const text = typeof value === 'number' ? numberToPlain(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match)
    throw new AppError(
      MoneyErrors.INVALID_AMOUNT,
      `${JSON.stringify(String(value))} is not a decimal amount`,
      [{ field: 'amount', message: 'must be a decimal number such as 12.34' }],
    );
  const [, sign, whole, fraction = ''] = match;
  if (mode === 'exact' && fraction.replace(/0+$/, '').length > minor_units)
    throw new AppError(MoneyErrors.INVALID_AMOUNT, `${text} has more decimals than ${code} allows`, [
      { field: 'amount', message: `must have at most ${minor_units} decimals` },
    ]);
  const digits = BigInt(`${whole}${fraction}`);
  const scale = 10n ** BigInt(fraction.length);
  const minor = divideRounded(
    digits * 10n ** BigInt(minor_units),
    scale,
    mode === 'exact' ? 'half_up' : mode,
  );
  return sign === '-' ? -minor : minor;
}

function numberToPlain(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // Up to 15 significant digits is what a double holds faithfully; toFixed avoids exponent notation.
  const text = value.toFixed(
    Math.min(20, Math.max(0, 15 - Math.floor(Math.log10(Math.abs(value) || 1)) - 1)),
  );
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Minor units → a plain major-unit decimal string with the currency's exact precision: 1999 eur → "19.99". */
export function toMajor(amount: number, code: string): string {
  const { minor_units } = currency(code);
  assertAmount(amount, { allowNegative: true });
  const negative = amount < 0;
  const digits = Math.abs(amount)
    .toString()
    .padStart(minor_units + 1, '0');
  const whole = digits.slice(0, digits.length - minor_units);
  const fraction = minor_units > 0 ? `.${digits.slice(digits.length - minor_units)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** Localised display text (`€19.99`, `¥1,999`, `KWD 1.250`), for emails and exports; never parse it back. */
export function formatMoney(amount: number, code: string, locale = 'en'): string {
  const { minor_units, code: canonical } = currency(code);
  const major = Number(toMajor(amount, canonical));
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: canonical.toUpperCase(),
    minimumFractionDigits: minor_units,
    maximumFractionDigits: minor_units,
  }).format(major);
}

/** Rounds to the smallest amount cash can settle in (CHF 0.05, SEK 1.00), half away from zero. */
export function roundForCash(amount: number, code: string): number {
  const { cash_increment } = currency(code);
  return divideRounded(amount, cash_increment, 'half_up') * cash_increment;
}
