// The one money module: supported currencies with their ISO 4217 minor units, and every rounding rule.
// Amounts are integer minor units beside a lower-case currency code; nothing here uses floats.
export { assertAmount, formatMoney, fromMajor, type Money, roundForCash, toMajor } from './amounts.js';
export { type Currency, currencies, currency, currencyCode, isCurrency } from './currencies.js';
export { MoneyErrors } from './money.errors.js';
export { allocate, BASIS_POINTS, divideRounded, percentOf, type RoundingMode } from './rounding.js';
