const digitsCache = new Map<string, number>();

/** Minor units of a currency as the browser's Intl data knows them (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorUnits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digitsCache.set(code, digits);
  }
  return digits;
}

/** Integer minor units to a localised price string; the server's amounts are never recomputed here. */
export function formatMoney(amount: number, currency: string, locale: string): string {
  const code = currency.toUpperCase();
  return new Intl.NumberFormat(locale, { style: 'currency', currency: code }).format(
    amount / 10 ** minorUnits(code),
  );
}

/** Basis points to a percentage string: 2300 → "23%". */
export function formatRate(bp: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(bp / 10_000);
}
