import { createContext, useContext } from 'react';
import { en } from './messages.en.js';
import { pl } from './messages.pl.js';

export type Locale = 'en' | 'pl';
export type MessageKey = keyof typeof en;
export const LOCALES: Locale[] = ['en', 'pl'];
const catalogs: Record<Locale, Record<MessageKey, string>> = { en, pl };

/** `t('orders.count', { count: 2 })`: `{name}` placeholders. */
export function translate(
  locale: Locale,
  key: MessageKey,
  vars: Record<string, string | number> = {},
): string {
  const template = catalogs[locale][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

const STORAGE_KEY = 'stratus.admin.locale';

/** The stored choice, else the browser's language. */
export function pickLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'pl' || stored === 'en') return stored;
  return navigator.language.toLowerCase().startsWith('pl') ? 'pl' : 'en';
}

export function storeLocale(locale: Locale): void {
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

export const LocaleContext = createContext<{ locale: Locale; setLocale: (l: Locale) => void }>({
  locale: 'en',
  setLocale: () => {},
});

export function useLocale() {
  return useContext(LocaleContext);
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function useT(): Translate {
  const { locale } = useContext(LocaleContext);
  return (key, vars) => translate(locale, key, vars);
}
