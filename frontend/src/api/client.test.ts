import { describe, expect, it, vi } from "vitest";
import { apiError, BASE_URL, fakeApi, json, tokenPair } from "../test/fakeApi";
import { createApi, unwrap } from "./client";
import { ApiError, NETWORK_ERROR } from "./errors";
import { REFRESH_TOKEN_KEY, Session, type SessionEvent } from "./session";

const KPIS = {
  period: { from: "2025-06-01", to: "2025-06-30" },
  previousPeriod: { from: "2025-05-02", to: "2025-05-31" },
  currency: "USD",
  revenue: { value: 1000, previous: 800, change: 200, changePct: 25 },
  orders: { value: 10, previous: 8, change: 2, changePct: 25 },
  averageOrderValue: { value: 100, previous: 100, change: 0, changePct: 0 },
  activeCustomers: { value: 7, previous: 7, change: 0, changePct: 0 },
};

function signedIn(n = 1) {
  const session = new Session(sessionStorage);
  session.start(tokenPair(n));
  const events: SessionEvent[] = [];
  session.subscribe((e) => events.push(e));
  return { session, events };
}

/** The ApiError a call fails with (and a test failure if it succeeds). */
function failure(call: Promise<unknown>): Promise<ApiError> {
  return call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(ApiError);
      return e as ApiError;
    },
  );
}

/** A promise the test resolves by hand: lets concurrent calls pile up on the refresh. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("the API client", () => {
  it("sends the access token to protected operations and none to public ones", async () => {
    const { session } = signedIn(1);
    const server = fakeApi({
      "GET /analytics/kpis": () => json(200, KPIS),
      "POST /auth/forgot-password": () => json(202, { message: "sent" }),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });

    const kpis = await unwrap(api.client.GET("/analytics/kpis", { params: { query: { region: "Western Europe" } } }));
    await unwrap(api.client.POST("/auth/forgot-password", { body: { email: "ada@example.com" } }));

    expect(kpis.revenue.value).toBe(1000);
    const [kpiCall, forgotCall] = server.calls;
    expect(kpiCall!.authorization).toBe("Bearer access-1");
    expect(kpiCall!.query.get("region")).toBe("Western Europe");
    expect(forgotCall!.authorization).toBeNull();
    expect(forgotCall!.body).toEqual({ email: "ada@example.com" });
  });

  it("turns an error answer into an ApiError with its field errors", async () => {
    const server = fakeApi({
      "POST /auth/register": () =>
        apiError(400, "VALIDATION_ERROR", "Invalid body: email", {
          fields: [{ field: "email", message: "must be a valid email address" }],
        }),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session: new Session(null) });
    const error = await failure(
      unwrap(api.client.POST("/auth/register", { body: { email: "x@y", password: "Aa1!aaaaaaaa", name: "X" } })),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.fieldMessages("email")).toEqual(["must be a valid email address"]);
  });

  it("reports a failed fetch as a network error", async () => {
    const api = createApi({
      baseUrl: BASE_URL,
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
      session: new Session(null),
    });
    const error = await failure(unwrap(api.client.GET("/health")));
    expect(error.code).toBe(NETWORK_ERROR);
    expect(error.status).toBe(0);
  });

  it("refreshes once for concurrent 401s and retries each call with the new token", async () => {
    const { session, events } = signedIn(1);
    const refreshAnswer = deferred<Response>();
    const server = fakeApi({
      "GET /analytics/kpis": ({ authorization }) =>
        authorization === "Bearer access-2" ? json(200, KPIS) : apiError(401, "UNAUTHORIZED", "Unauthorized"),
      "POST /auth/refresh": () => refreshAnswer.promise,
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });

    const calls = [1, 2, 3].map(() => unwrap(api.client.GET("/analytics/kpis")));
    await vi.waitFor(() => expect(server.callsTo("POST", "/auth/refresh")).toHaveLength(1));
    refreshAnswer.resolve(json(200, tokenPair(2)));
    const results = await Promise.all(calls);

    expect(results.map((r) => r.orders.value)).toEqual([10, 10, 10]);
    const refreshes = server.callsTo("POST", "/auth/refresh");
    expect(refreshes).toHaveLength(1); // single flight: the refresh token is single use
    expect(refreshes[0]!.body).toEqual({ refreshToken: "refresh-1" });
    const kpiCalls = server.callsTo("GET", "/analytics/kpis");
    expect(kpiCalls.map((c) => c.authorization)).toEqual([
      "Bearer access-1",
      "Bearer access-1",
      "Bearer access-1",
      "Bearer access-2",
      "Bearer access-2",
      "Bearer access-2",
    ]);
    expect(session.accessToken).toBe("access-2");
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe("refresh-2");
    expect(events).toEqual([{ type: "started" }]);
  });

  it("retries a POST with its body intact after the refresh", async () => {
    const { session } = signedIn(1);
    const server = fakeApi({
      "PATCH /auth/me": [
        () => apiError(401, "UNAUTHORIZED", "Unauthorized"),
        ({ body }) => json(200, { ...tokenPair(0).user, name: (body as { name: string }).name }),
      ],
      "POST /auth/refresh": () => json(200, tokenPair(2)),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    const profile = await unwrap(api.client.PATCH("/auth/me", { body: { name: "Ada King" } }));
    expect(profile.name).toBe("Ada King");
    expect(server.callsTo("PATCH", "/auth/me").map((c) => c.body)).toEqual([{ name: "Ada King" }, { name: "Ada King" }]);
  });

  it("signs out when the refresh is refused, once for every waiting call", async () => {
    const { session, events } = signedIn(1);
    const server = fakeApi({
      "GET /analytics/kpis": () => apiError(401, "UNAUTHORIZED", "Unauthorized"),
      "POST /auth/refresh": () => apiError(401, "INVALID_REFRESH_TOKEN", "The refresh token is invalid"),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });

    const errors = await Promise.all(
      [1, 2].map(() => failure(unwrap(api.client.GET("/analytics/kpis")))),
    );

    expect(errors.map((e) => [e.status, e.code])).toEqual([
      [401, "UNAUTHORIZED"],
      [401, "UNAUTHORIZED"],
    ]);
    expect(server.callsTo("POST", "/auth/refresh")).toHaveLength(1);
    expect(server.callsTo("GET", "/analytics/kpis")).toHaveLength(2); // no retry without a token
    expect(session.accessToken).toBeNull();
    expect(session.refreshToken).toBeNull();
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(events).toEqual([{ type: "ended", reason: "expired" }]);
  });

  it("keeps the session when the refresh cannot reach the API, and refreshes with the same token later", async () => {
    const { session, events } = signedIn(1);
    let online = false;
    const server = fakeApi({
      "GET /auth/me": (call) =>
        call.authorization === "Bearer access-2" ? json(200, { email: "a@example.com" }) : apiError(401, "UNAUTHORIZED", "Unauthorized"),
      "POST /auth/refresh": () => json(200, tokenPair(2)),
    });
    const flaky = (request: Request) =>
      request.url.endsWith("/auth/refresh") && !online ? Promise.reject(new TypeError("Failed to fetch")) : server.fetch(request);
    const api = createApi({ baseUrl: BASE_URL, fetch: flaky, session });
    await expect(unwrap(api.client.GET("/auth/me"))).rejects.toMatchObject({ status: 401 });
    expect(events).toEqual([]);
    expect(session.refreshToken).toBe("refresh-1");
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe("refresh-1");

    online = true; // the lost answer's retry: the server's grace window gives the same successor
    await expect(unwrap(api.client.GET("/auth/me"))).resolves.toMatchObject({ email: "a@example.com" });
    expect(server.callsTo("POST", "/auth/refresh")[0]!.body).toEqual({ refreshToken: "refresh-1" });
    expect(session.refreshToken).toBe("refresh-2");
  });

  it.each([
    [429, "TOO_MANY_REQUESTS"],
    [500, "INTERNAL_ERROR"],
    [503, "SERVICE_UNAVAILABLE"],
  ])("keeps the session when the refresh answers %i", async (status, code) => {
    const { session, events } = signedIn(1);
    const server = fakeApi({
      "GET /auth/me": () => apiError(401, "UNAUTHORIZED", "Unauthorized"),
      "POST /auth/refresh": () => apiError(status, code, "not now"),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    await expect(unwrap(api.client.GET("/auth/me"))).rejects.toMatchObject({ status: 401 });
    expect(events).toEqual([]);
    expect(session.active).toBe(true);
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe("refresh-1");
  });

  it("never refreshes on a 401 from a public operation (wrong credentials)", async () => {
    const { session } = signedIn(1);
    const server = fakeApi({
      "POST /auth/login": () => apiError(401, "INVALID_CREDENTIALS", "Wrong email or password"),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    await expect(api.signIn("ada@example.com", "nope")).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
      message: "Wrong email or password",
    });
    expect(server.callsTo("POST", "/auth/refresh")).toHaveLength(0);
    expect(session.accessToken).toBe("access-1");
  });

  it("after a reload, gets an access token from the stored refresh token before calling", async () => {
    sessionStorage.setItem(REFRESH_TOKEN_KEY, "refresh-7");
    const session = new Session(sessionStorage);
    expect([session.accessToken, session.refreshToken]).toEqual([null, "refresh-7"]);
    const server = fakeApi({
      "POST /auth/refresh": () => json(200, tokenPair(8)),
      "GET /analytics/kpis": ({ authorization }) =>
        authorization === "Bearer access-8" ? json(200, KPIS) : apiError(401, "UNAUTHORIZED", "Unauthorized"),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    await unwrap(api.client.GET("/analytics/kpis"));
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /auth/refresh", "GET /analytics/kpis"]);
    expect(server.calls[0]!.body).toEqual({ refreshToken: "refresh-7" });
  });

  it("signs in: keeps the access token in memory and the refresh token in sessionStorage", async () => {
    const session = new Session(sessionStorage);
    const server = fakeApi({ "POST /auth/login": () => json(200, tokenPair(3)) });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    await api.signIn("ada@example.com", "Correct-horse-1");
    expect(server.calls[0]!.body).toEqual({ email: "ada@example.com", password: "Correct-horse-1" });
    expect(session.accessToken).toBe("access-3");
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe("refresh-3");
    expect(Object.values({ ...sessionStorage })).not.toContain("access-3");
  });

  it("signs out: revokes the refresh token on the server, then forgets both tokens", async () => {
    const { session, events } = signedIn(4);
    const server = fakeApi({ "POST /auth/logout": () => new Response(null, { status: 204 }) });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    await api.signOut();
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({ authorization: "Bearer access-4", body: { refreshToken: "refresh-4" } });
    expect(session.active).toBe(false);
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
    expect(events).toEqual([{ type: "ended", reason: "signed-out" }]);
  });

  it("signs out with an expired access token: refreshes, then revokes the new refresh token", async () => {
    const { session } = signedIn(4);
    const server = fakeApi({
      "POST /auth/logout": ({ authorization }) =>
        authorization === "Bearer access-5"
          ? new Response(null, { status: 204 })
          : apiError(401, "UNAUTHORIZED", "Unauthorized"),
      "POST /auth/refresh": () => json(200, tokenPair(5)),
    });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch, session });
    await api.signOut();
    expect(server.calls.map((c) => [c.path, c.authorization, c.body])).toEqual([
      ["/auth/logout", "Bearer access-4", { refreshToken: "refresh-4" }],
      ["/auth/refresh", null, { refreshToken: "refresh-4" }],
      ["/auth/logout", "Bearer access-5", { refreshToken: "refresh-5" }],
    ]);
    expect(session.active).toBe(false);
  });
});
