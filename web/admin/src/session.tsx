import { createContext, startTransition, useCallback, useContext, useEffect, useState } from 'react';
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
export function SessionProvider({
  children,
  ready,
}: {
  children: React.ReactNode;
  /** Work to finish before the first screen shows (its chunk), run beside the `/admin/me` request. */
  ready?: () => Promise<unknown>;
}) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [firstLoad] = useState(() => ready?.());
  const refresh = useCallback(async () => {
    const [result] = await Promise.all([api.GET('/admin/me'), firstLoad]);
    setCsrfToken(result.data?.csrf_token);
    // A transition: while the first screen's chunk loads, "Loading…" stays up instead of a Suspense
    // fallback, whose reveal React would throttle by 300 ms.
    startTransition(() => {
      setMe(result.data ?? null);
      setLoading(false);
    });
  }, [firstLoad]);
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
