/**
 * Who is signed in, for the whole app. The session (api/session.ts) is the source of truth;
 * this mirrors its events into React state, restores a session after a reload from the
 * refresh token, and forgets every cached answer when the session ends so the next user never
 * sees the previous one's data.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { unwrap, type UserProfile } from "../api/client";
import { useApi } from "../api/context";
import type { ApiError } from "../api/errors";

export type AuthStatus = "restoring" | "signed-in" | "signed-out";

interface AuthState {
  status: AuthStatus;
  /** why the last session ended, when the user did not end it */
  notice: string | null;
}

interface AuthContextValue extends AuthState {
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

export const ME_KEY = ["auth", "me"] as const;
export const SESSION_EXPIRED = "Your session has ended. Please sign in again.";

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const { session } = api;
  const [state, setState] = useState<AuthState>(() => ({
    status: session.accessToken ? "signed-in" : session.refreshToken ? "restoring" : "signed-out",
    notice: null,
  }));

  useEffect(
    () =>
      session.subscribe((event) => {
        if (event.type === "started") {
          setState({ status: "signed-in", notice: null });
        } else {
          queryClient.clear();
          setState({ status: "signed-out", notice: event.reason === "expired" ? SESSION_EXPIRED : null });
        }
      }),
    [session, queryClient],
  );

  useEffect(() => {
    // After a reload: trade the refresh token for an access token (refresh() is single-flight,
    // so React's double effects in development do not spend the token twice).
    if (state.status === "restoring") void api.refresh();
  }, [api, state.status]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const pair = await api.signIn(email, password);
      if (pair.user) queryClient.setQueryData(ME_KEY, pair.user);
    },
    [api, queryClient],
  );

  const signOut = useCallback(() => api.signOut(), [api]);

  const value = useMemo(() => ({ ...state, signIn, signOut }), [state, signIn, signOut]);
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthContextValue {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside <AuthProvider>");
  return auth;
}

/** GET /auth/me: the signed-in user's profile (seeded by sign-in). */
export function useCurrentUser() {
  const api = useApi();
  const { status } = useAuth();
  return useQuery<UserProfile, ApiError>({
    queryKey: ME_KEY,
    queryFn: () => unwrap(api.client.GET("/auth/me")),
    enabled: status === "signed-in",
    staleTime: 5 * 60_000,
  });
}
