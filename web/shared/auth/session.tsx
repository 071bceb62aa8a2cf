// Who is signed in, for the whole app. The session itself is an HttpOnly cookie the page cannot
// read, so "signed in" means the server answered GET /api/v1/auth/session. A session that still owes
// a step (second factor, MFA enrolment, an expired password) is "restricted": the app shows that
// step instead of itself until the server lifts the restriction.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { onSessionEnded } from '../api/client.js';
import { ApiError, toApiError } from '../api/problem.js';
import type { Session } from '../api/types.js';
import { auth } from '../features/identity/use-auth.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'restricted'; session: Session }
  | { status: 'signed-in'; session: Session };

const stateOf = (session: Session): SessionState => (session.restriction === null ? { status: 'signed-in', session } : { status: 'restricted', session });

interface SessionContextValue {
  state: SessionState;
  /** Throws ApiError (401 for wrong credentials) so the form can show it. */
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Reads the session again (after completing a step the session owed). */
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    auth
      .session()
      .then((data) => {
        if (!cancelled) setState(stateOf(data));
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        const apiError = toApiError(error);
        // 401 is the ordinary "not signed in yet"; anything else is worth telling the user about.
        setState(apiError.status === 401 ? { status: 'signed-out' } : { status: 'signed-out', notice: apiError.problem.detail });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(
    () =>
      onSessionEnded(() =>
        setState((current) => (current.status !== 'signed-out' && current.status !== 'loading' ? { status: 'signed-out', notice: 'Your session has ended. Sign in again to continue.' } : current)),
      ),
    [],
  );

  const signIn = useCallback(async (email: string, password: string) => {
    setState(stateOf(await auth.signIn(email, password)));
  }, []);

  const refresh = useCallback(async () => {
    setState(stateOf(await auth.session()));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await auth.signOut();
    } catch (error) {
      // Already signed out on the server (401) is the outcome we wanted; anything else still ends
      // the session here, since the user asked to leave.
      if (!(error instanceof ApiError)) throw error;
    }
    setState({ status: 'signed-out' });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, refresh }), [state, signIn, signOut, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

/** The signed-in session; only for components rendered behind the sign-in gate. */
export function useSignedInSession(): Session {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useSignedInSession used while not signed in');
  return state.session;
}
