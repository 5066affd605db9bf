import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { SiteConfig } from '../api/config';
import { fetchAuthenticatedUser } from '../api/auth';
import type { AuthenticatedUser } from '../api/auth';

export interface SiteState {
  config: SiteConfig;
  /** undefined while the first check runs, null when anonymous. */
  user: AuthenticatedUser | null | undefined;
  authError: unknown;
  refreshUser: () => Promise<AuthenticatedUser | null>;
}

const SiteContext = createContext<SiteState | null>(null);

export function SiteProvider({
  config,
  children,
  initialUser,
}: {
  config: SiteConfig;
  children: ReactNode;
  initialUser?: AuthenticatedUser | null;
}) {
  const [user, setUser] = useState<AuthenticatedUser | null | undefined>(initialUser);
  const [authError, setAuthError] = useState<unknown>(null);
  const refreshUser = useCallback(async () => {
    try {
      const u = await fetchAuthenticatedUser();
      setUser(u);
      setAuthError(null);
      return u;
    } catch (e) {
      setAuthError(e);
      setUser(null);
      return null;
    }
  }, []);
  useEffect(() => {
    if (initialUser === undefined) void refreshUser();
  }, [initialUser, refreshUser]);
  const value = useMemo(
    () => ({ config, user, authError, refreshUser }),
    [config, user, authError, refreshUser],
  );
  return <SiteContext.Provider value={value}>{children}</SiteContext.Provider>;
}

export function useSite(): SiteState {
  const site = useContext(SiteContext);
  if (!site) throw new Error('useSite outside SiteProvider');
  return site;
}
