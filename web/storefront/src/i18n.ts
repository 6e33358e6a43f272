import { createContext, useContext } from 'react';
import { en } from './messages.en.js';
import { pl } from './messages.pl.js';

export type Locale = 'en' | 'pl';
export type MessageKey = keyof typeof en;
export const LOCALES: Locale[] = ['en', 'pl'];
const catalogs: Record<Locale, Record<MessageKey, string>> = { en, pl };

/** `t('cart.items', { count: 2 })`: `{name}` placeholders; `{count|one|few|many}` picks a plural form. */
export function translate(
  locale: Locale,
  key: MessageKey,
  vars: Record<string, string | number> = {},
): string {
  const template = catalogs[locale][key] ?? en[key];
  const rules = new Intl.PluralRules(locale);
  return template.replace(/\{(\w+)(?:\|([^}]*))?\}/g, (_, name: string, forms?: string) => {
    const value = vars[name];
    if (forms === undefined) return value === undefined ? '' : String(value);
    const [one, few, many] = forms.split('|');
    const rule = rules.select(Number(value));
    const word = rule === 'one' ? one : rule === 'few' ? (few ?? many) : (many ?? few ?? one);
    return `${value} ${word ?? ''}`.trim();
  });
}

export function pickLocale(): Locale {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'pl' || fromUrl === 'en') return fromUrl;
  const stored = localStorage.getItem('stratus.locale');
  return stored === 'pl' ? 'pl' : 'en';
}

export const LocaleContext = createContext<Locale>('en');

export function useT() {
  const locale = useContext(LocaleContext);
  return (key: MessageKey, vars?: Record<string, string | number>) => translate(locale, key, vars);
}
