import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, CSRF_KEY } from './api.js';
import { analyticsChoice, setAnalyticsChoice, track } from './tracking.js';

/** Version of the consent text the shopper saw; recorded with a signed-in customer's choices. */
export const CONSENT_TEXT_VERSION = 'storefront-2026-11';

export interface Customer {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email_verified: boolean;
}

interface AccountApi {
  /** undefined while the session is being checked; null when nobody is signed in. */
  customer: Customer | null | undefined;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  /** A `/store/customers/me/*` call (or any call needing the session) with the CSRF token attached. */
  call<T>(path: string, init?: Parameters<typeof api>[1]): Promise<T>;
}

const AccountContext = createContext<AccountApi | null>(null);
// The session itself is an httpOnly cookie the page never sees; the CSRF token is not a credential
// on its own, so it may live in storage to survive reloads (docs/security.md).

export function useAccount(): AccountApi {
  const account = useContext(AccountContext);
  if (!account) throw new Error('useAccount outside AccountProvider');
  return account;
}

/**
 * On sign-in the account's recorded analytics choice wins over this browser's; a browser choice made
 * before signing in (and never recorded) is recorded for the account.
 */
async function syncAnalyticsConsent(call: AccountApi['call']): Promise<void> {
  const { data } = await call<{ data: Array<{ purpose: string; granted: boolean }> }>(
    '/store/customers/me/consents',
  );
  const recorded = data.find((c) => c.purpose === 'analytics_cookies');
  const local = analyticsChoice();
  if (recorded) {
    if (recorded.granted !== local) setAnalyticsChoice(recorded.granted);
  } else if (local !== null) {
    await call('/store/customers/me/consents', {
      method: 'POST',
      body: {
        purpose: 'analytics_cookies',
        granted: local,
        source: 'storefront_banner',
        text_version: CONSENT_TEXT_VERSION,
      },
    });
  }
}

export function AccountProvider({ children }: { children: ReactNode }) {
  const [customer, setCustomer] = useState<Customer | null | undefined>(undefined);

  const call = useCallback(<T,>(path: string, init: Parameters<typeof api>[1] = {}) => {
    return api<T>(path, init).catch((error: unknown) => {
      // An ended session (logout elsewhere, password reset, expiry): show the shop as signed out.
      if (error instanceof ApiError && error.status === 401) setCustomer(null);
      throw error;
    });
  }, []);

  useEffect(() => {
    // Only a browser that signed in holds a CSRF token; guests skip the session check (one request
    // fewer on every landing page).
    if (!localStorage.getItem(CSRF_KEY)) return setCustomer(null);
    api<Customer>('/store/customers/me').then(setCustomer, (error: unknown) => {
      if (error instanceof ApiError && error.status === 401) localStorage.removeItem(CSRF_KEY);
      setCustomer(null);
    });
  }, []);

  const value = useMemo<AccountApi>(
    () => ({
      customer,
      call,
      async login(email, password) {
        const session = await api<{ csrf_token?: string }>('/store/auth/login', {
          method: 'POST',
          body: { email, password },
        });
        if (session.csrf_token) localStorage.setItem(CSRF_KEY, session.csrf_token);
        const me = await api<Customer>('/store/customers/me');
        setCustomer(me);
        await syncAnalyticsConsent(call).catch(() => {});
        // Links this browser's visitor to the customer (kept only with analytics consent).
        track('login', { customer_id: me.id });
      },
      async logout() {
        await call('/store/auth/logout', { method: 'POST', body: {} }).catch(() => {});
        localStorage.removeItem(CSRF_KEY);
        setCustomer(null);
      },
    }),
    [customer, call],
  );
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}
