import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { api, setCsrfToken } from './api/client.js';
import type { components, paths } from './api/schema.js';

type Me = paths['/admin/me']['get']['responses']['200']['content']['application/json'];
export type Staff = Me['staff'];
export type { components };

export interface Session {
  me: Me | null;
  loading: boolean;
  /** True when the signed-in staff member holds the permission (owners hold `*`). */
  can: (permission: string) => boolean;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Loads `/admin/me` (the staff member, their permissions and the CSRF token) and keeps it. */
export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    const result = await api.GET('/admin/me');
    setCsrfToken(result.data?.csrf_token);
    setMe(result.data ?? null);
    setLoading(false);
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const signOut = useCallback(async () => {
    await api.POST('/admin/auth/logout');
    setCsrfToken(null);
    setMe(null);
  }, []);
  const can = useCallback(
    (permission: string) => !!me && (me.permissions.includes('*') || me.permissions.includes(permission)),
    [me],
  );
  return (
    <SessionContext.Provider value={{ me, loading, can, refresh, signOut }}>
      {children}
    </SessionContext.Provider>
  );
}
