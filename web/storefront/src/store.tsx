import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, type Region } from './api.js';
import { type Locale, LocaleContext, pickLocale } from './i18n.js';

interface Shop {
  locale: Locale;
  setLocale(locale: Locale): void;
  regions: Region[];
  region: Region | null;
  /** The shopper's explicit choice, sent as `region_id`; undefined means the server's default region. */
  regionParam: string | undefined;
  setRegion(id: string): void;
}

const ShopContext = createContext<Shop | null>(null);

export function useShop(): Shop {
  const shop = useContext(ShopContext);
  if (!shop) throw new Error('useShop outside ShopProvider');
  return shop;
}

/** Region and language live in localStorage; prices, tax and stock always come from the server. */
export function ShopProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(pickLocale);
  const [regions, setRegions] = useState<Region[]>([]);
  const [regionId, setRegionId] = useState<string | null>(() => localStorage.getItem('stratus.region'));

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  useEffect(() => {
    let live = true;
    api<{ data: Region[] }>('/store/regions', { query: { limit: 100 } })
      .then((page) => live && setRegions(page.data))
      .catch(() => live && setRegions([]));
    return () => {
      live = false;
    };
  }, []);

  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem('stratus.locale', next);
    setLocaleState(next);
  }, []);
  const setRegion = useCallback((id: string) => {
    localStorage.setItem('stratus.region', id);
    setRegionId(id);
  }, []);

  // The server's default region is the oldest one, which is also the first in the list.
  const region = regions.find((r) => r.id === regionId) ?? regions[0] ?? null;
  const regionParam = regionId && (regions.length === 0 || region?.id === regionId) ? regionId : undefined;
  const shop = useMemo(
    () => ({ locale, setLocale, regions, region, regionParam, setRegion }),
    [locale, setLocale, regions, region, regionParam, setRegion],
  );
  return (
    <ShopContext.Provider value={shop}>
      <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>
    </ShopContext.Provider>
  );
}
