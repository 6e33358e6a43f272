import type { Locale } from './i18n.js';

export function money(amount: number | null | undefined, currency: string, locale: Locale): string {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );
}

export function percent(value: number | null | undefined, locale: Locale): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

export function count(value: number | null | undefined, locale: Locale): string {
  if (value === null || value === undefined) return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

export function dateTime(iso: string, locale: Locale, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );
}

/** YYYY-MM-DD of a day offset from today, in the browser's zone. */
export function isoDay(offsetDays: number): string {
  const d = new Date();
  d.setDate(d.getDate() + offsetDays);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Minor units from what the merchant typed in major units, with the currency's own decimals. */
export function minorUnits(typed: string, currency: string): number | null {
  const value = Number(typed.replace(',', '.'));
  if (!typed.trim() || !Number.isFinite(value) || value < 0) return null;
  const decimals =
    new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return Math.round(value * 10 ** decimals);
}

/** What the merchant types back for an amount in minor units (`12.50` for 1250 in EUR). */
export function majorUnits(amount: number | null | undefined, currency: string): string {
  if (amount === null || amount === undefined) return '';
  const decimals =
    new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return (amount / 10 ** decimals).toFixed(decimals);
}

/** `<input type="datetime-local">` value of an ISO instant, in the browser's zone. */
export function localInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
