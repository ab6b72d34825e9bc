/**
 * The signed-in session's tokens.
 *
 * Where they live, and why:
 * - The access token (a JWT valid ACCESS_TOKEN_MINUTES, 15 by default) only in memory: it is the
 *   credential every call carries, so it is kept out of every storage a script or an extension
 *   could read later. A reload loses it; the refresh token gets a new one.
 * - The refresh token (30 days, single use, rotated on every refresh) in sessionStorage. The
 *   contract takes it in the request body from a cross-origin page, so an HttpOnly cookie (the
 *   safest place, unreadable by scripts) is not an option without an API change. Memory alone
 *   would sign the user out on every reload. localStorage would keep it after the browser
 *   closes and share it between tabs, whose refreshes would then race: rotation makes the
 *   loser present a used token, which the API treats as theft and revokes the whole session.
 *   sessionStorage survives a reload, is private to the tab and is gone when the tab closes.
 *   The cost: any script running on this origin can read it, so an XSS bug leaks a session.
 *   What limits that: the build's Content-Security-Policy (no inline or foreign scripts, and
 *   calls only to the site and its API, see src/csp.ts), rotation with reuse detection (a
 *   stolen token used after us, or before us, ends the session), and sign-out and password
 *   changes revoking it on the server.
 */

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export type SessionEvent = { type: "started" } | { type: "ended"; reason: "signed-out" | "expired" };

export const REFRESH_TOKEN_KEY = "ecommerce-ai-platform.refreshToken";

function browserSessionStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled (privacy settings): the session lasts until a reload
  }
}

export class Session {
  #accessToken: string | null = null;
  #refreshToken: string | null = null;
  readonly #storage: Storage | null;
  readonly #listeners = new Set<(event: SessionEvent) => void>();

  constructor(storage: Storage | null = browserSessionStorage()) {
    this.#storage = storage;
    this.#refreshToken = this.#read();
  }

  get accessToken(): string | null {
    return this.#accessToken;
  }

  get refreshToken(): string | null {
    return this.#refreshToken;
  }

  /** signed in, or able to get a new access token */
  get active(): boolean {
    return this.#accessToken !== null || this.#refreshToken !== null;
  }

  start(tokens: Tokens): void {
    this.#accessToken = tokens.accessToken;
    this.#refreshToken = tokens.refreshToken;
    try {
      this.#storage?.setItem(REFRESH_TOKEN_KEY, tokens.refreshToken);
    } catch {
      /* quota or disabled storage: the session still works until a reload */
    }
    this.#emit({ type: "started" });
  }

  end(reason: "signed-out" | "expired"): void {
    this.#accessToken = null;
    this.#refreshToken = null;
    try {
      this.#storage?.removeItem(REFRESH_TOKEN_KEY);
    } catch {
      /* nothing stored */
    }
    this.#emit({ type: "ended", reason });
  }

  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #read(): string | null {
    try {
      return this.#storage?.getItem(REFRESH_TOKEN_KEY) || null;
    } catch {
      return null;
    }
  }

  #emit(event: SessionEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
