import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api } from './api.js';

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
const CSRF_KEY = 'stratus.csrf';

export function useAccount(): AccountApi {
  const account = useContext(AccountContext);
  if (!account) throw new Error('useAccount outside AccountProvider');
  return account;
}

export function AccountProvider({ children }: { children: ReactNode }) {
  const [customer, setCustomer] = useState<Customer | null | undefined>(undefined);

  const call = useCallback(<T,>(path: string, init: Parameters<typeof api>[1] = {}) => {
    const csrf = localStorage.getItem(CSRF_KEY);
    return api<T>(path, {
      ...init,
      headers: { ...init.headers, ...(csrf ? { 'x-csrf-token': csrf } : {}) },
    }).catch((error: unknown) => {
      // An ended session (logout elsewhere, password reset, expiry): show the shop as signed out.
      if (error instanceof ApiError && error.status === 401) setCustomer(null);
      throw error;
    });
  }, []);

  useEffect(() => {
    api<Customer>('/store/customers/me').then(setCustomer, () => setCustomer(null));
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
        setCustomer(await api<Customer>('/store/customers/me'));
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
