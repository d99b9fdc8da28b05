import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setApiToken, setUnauthorizedHandler, unwrap } from '../api/client';
import type { Session } from '../api/types';

// Sign-in with an API token. The token is kept in sessionStorage: it lives as
// long as the browser tab and is never written anywhere else (no cookie, no
// URL, no localStorage).

const STORAGE_KEY = 'gantry.token';

export interface SessionState {
  session: Session | undefined;
  /** Checks the token with GET /api/v1/session and keeps it when Gantry accepts it. */
  signIn: (token: string) => Promise<void>;
  signOut: (reason?: string) => void;
  /** Why the last session ended, when Gantry ended it (an expired or revoked token). */
  endedBecause: string | undefined;
  /** True while a stored token is being checked on load. */
  restoring: boolean;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>();
  const [endedBecause, setEndedBecause] = useState<string | undefined>();
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(STORAGE_KEY) !== null);

  const signOut = useCallback((reason?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setApiToken(undefined);
    setSession(undefined);
    setEndedBecause(reason);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const trimmed = token.trim();
    if (!trimmed) throw new Error('Paste an API token (gantry token create prints one).');
    setApiToken(trimmed);
    try {
      const who = await unwrap(api.GET('/api/v1/session'));
      sessionStorage.setItem(STORAGE_KEY, trimmed);
      setEndedBecause(undefined);
      setSession(who);
    } catch (error) {
      setApiToken(undefined);
      throw error;
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() =>
      signOut('Gantry no longer accepts this token (revoked or mistyped). Sign in again.'),
    );
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (!stored) return;
    signIn(stored)
      .catch(() => signOut('The stored token was refused. Sign in again.'))
      .finally(() => setRestoring(false));
  }, [signIn, signOut]);

  const value = useMemo(
    () => ({ session, signIn, signOut, endedBecause, restoring }),
    [session, signIn, signOut, endedBecause, restoring],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
