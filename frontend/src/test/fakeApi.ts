/** A fake API behind a mocked fetch: answers by "METHOD /path" and records every request. */
export const BASE_URL = "https://api.test/dev";

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  body: unknown;
}

type Answer = Response | Promise<Response>;
type Handler = (call: Call) => Answer;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function apiError(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
  return json(status, { error: { code, message, details } });
}

export const USER = {
  userId: "6f1c2d9e-0000-4000-8000-000000000001",
  email: "ada@example.com",
  name: "Ada Lovelace",
  role: "user" as const,
  createdAt: "2025-01-02T03:04:05Z",
};

export function tokenPair(n: number, withUser = true) {
  return {
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    tokenType: "Bearer" as const,
    expiresIn: 900,
    ...(withUser ? { user: USER } : {}),
  };
}

/**
 * `routes` maps "METHOD /path" (the contract's path, without the stage) to a handler, or to a
 * list of handlers used one per call (the last one repeats); "*" answers every other route.
 * Unknown routes answer 599 so a test sees exactly what it forgot.
 */
export function fakeApi(routes: Record<string, Handler | Handler[]>) {
  const calls: Call[] = [];
  const used: Record<string, number> = {};
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const base = new URL(BASE_URL);
    const path = url.pathname.startsWith(base.pathname) ? url.pathname.slice(base.pathname.length) : url.pathname;
    const text = await request.text();
    const call: Call = {
      method: request.method,
      path,
      query: url.searchParams,
      authorization: request.headers.get("Authorization"),
      body: text ? JSON.parse(text) : undefined,
    };
    calls.push(call);
    const key = `${call.method} ${path}`;
    const route = routes[key] ?? routes["*"];
    if (!route) return apiError(599, "NO_FAKE", `the fake API has no answer for ${key}`);
    const handlers = Array.isArray(route) ? route : [route];
    const index = Math.min(used[key] ?? 0, handlers.length - 1);
    used[key] = (used[key] ?? 0) + 1;
    return handlers[index]!(call);
  };
  const callsTo = (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path);
  return { fetch, calls, callsTo };
}
