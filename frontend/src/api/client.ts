/**
 * The one API client: openapi-fetch typed by the contract (schema.d.ts, `npm run gen:api`),
 * plus the session: the bearer token on every protected call, one refresh on a 401 shared by
 * every call that got one (single-flight: the refresh token is single use), one retry of each
 * of those calls with the new token, and the session ended when the refresh fails.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import { ApiError, networkError, toApiError } from "./errors";
import type { components, paths } from "./schema";
import { Session } from "./session";

export type Schemas = components["schemas"];
export type UserProfile = Schemas["UserProfile"];
export type TokenPair = Schemas["TokenPair"];
export type ApiClient = Client<paths>;

/** The contract's operations with `security: []`: no bearer token, and a 401 from them
 * (wrong credentials, a bad refresh token) is an answer, not a reason to refresh. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set([
  "/auth/register",
  "/auth/login",
  "/auth/refresh",
  "/auth/forgot-password",
  "/auth/reset-password",
  "/health",
]);

/** Protected calls not retried after a refresh: logout's body holds the refresh token the
 * refresh has just replaced (signOut() handles its 401 itself). */
const NO_RETRY: ReadonlySet<string> = new Set(["/auth/logout"]);

export interface Api {
  client: ApiClient;
  session: Session;
  /** POST /auth/login; starts the session */
  signIn(email: string, password: string): Promise<TokenPair>;
  /** POST /auth/logout with the refresh token (best effort), then ends the session */
  signOut(): Promise<void>;
  /** a new token pair from the refresh token; false (and the session ended) when refused */
  refresh(): Promise<boolean>;
}

export interface ApiOptions {
  baseUrl: string;
  session?: Session;
  fetch?: (request: Request) => Promise<Response>;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The body of a 2xx answer, or the ApiError of anything else (network failures included). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (error) {
    throw error instanceof ApiError ? error : networkError(error);
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error, result.response.headers);
  return result.data as T;
}

function bearer(request: Request): string | null {
  return request.headers.get("Authorization")?.replace(/^Bearer /, "") ?? null;
}

export function createApi({ baseUrl, session = new Session(), fetch: fetchImpl }: ApiOptions): Api {
  // Resolved per call, so a test's (or a polyfill's) fetch replaced after start-up is used.
  const send = fetchImpl ?? ((request: Request) => globalThis.fetch(request));
  const client = createClient<paths>({ baseUrl, fetch: send });
  let refreshing: Promise<boolean> | null = null;

  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      const refreshToken = session.refreshToken;
      if (!refreshToken) {
        session.end("expired");
        return false;
      }
      try {
        const { data, response } = await client.POST("/auth/refresh", { body: { refreshToken } });
        if (data) {
          session.start(data);
          return true;
        }
        // Only the API's "this token is no good" ends the session. A 429 or a 5xx says nothing
        // about the token: keep it and let a later call refresh again.
        if (response.status === 400 || response.status === 401) session.end("expired");
      } catch {
        /* No answer: the rotation may have happened with its answer lost. Keep the token: a
           retry within the server's grace window gets the same successor (issue 10 item 5). */
      }
      return false;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  // A pristine copy of each protected request (id -> request), to send again after a refresh.
  const retryable = new Map<string, Request>();

  const auth: Middleware = {
    async onRequest({ request, schemaPath, id }) {
      if (PUBLIC_PATHS.has(schemaPath)) return undefined;
      // After a reload only the refresh token is left: get an access token before calling.
      if (!session.accessToken && session.refreshToken) await refresh();
      if (!session.accessToken) return undefined; // signed out: the API answers 401, shown as such
      request.headers.set("Authorization", `Bearer ${session.accessToken}`);
      if (!NO_RETRY.has(schemaPath)) retryable.set(id, request.clone());
      return request;
    },
    async onResponse({ response, id }) {
      const original = retryable.get(id);
      retryable.delete(id);
      if (response.status !== 401 || !original) return undefined;
      // Another call may have refreshed while this one was in flight: then just use its token.
      const renewed = session.accessToken !== null && session.accessToken !== bearer(original);
      if (!renewed && !(await refresh())) return undefined; // session ended: the caller sees the 401
      original.headers.set("Authorization", `Bearer ${session.accessToken}`);
      return send(original);
    },
    onError({ id }) {
      retryable.delete(id);
    },
  };
  client.use(auth);

  async function signIn(email: string, password: string): Promise<TokenPair> {
    const pair = await unwrap(client.POST("/auth/login", { body: { email, password } }));
    session.start(pair);
    return pair;
  }

  async function signOut(): Promise<void> {
    const logout = (refreshToken: string) =>
      client.POST("/auth/logout", { body: { refreshToken } }).then(({ response }) => response.status);
    try {
      const refreshToken = session.refreshToken;
      if (refreshToken && session.accessToken) {
        // A 401 means the access token expired: refresh once so the server still revokes the session.
        if ((await logout(refreshToken)) === 401 && (await refresh()) && session.refreshToken) {
          await logout(session.refreshToken);
        }
      }
    } catch {
      /* offline: the tokens are forgotten here all the same */
    } finally {
      session.end("signed-out");
    }
  }

  return { client, session, signIn, signOut, refresh };
}
