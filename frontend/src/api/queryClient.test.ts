import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE_URL, fakeApi, json } from "../test/fakeApi";
import { createApi, unwrap } from "./client";
import { ApiError, errorTitle, toApiError } from "./errors";
import { createQueryClient, retryDelay, shouldRetry } from "./queryClient";

/** A 503 as the services answer it when a dependency is down (issue 10 item 13). */
function unavailable(retryAfter: number, inBody = true): Response {
  const details = inBody ? { retryAfter, requestId: "r-1" } : { requestId: "r-1" };
  return new Response(
    JSON.stringify({ error: { code: "SERVICE_UNAVAILABLE", message: "A dependency is unavailable", details } }),
    { status: 503, headers: { "Content-Type": "application/json", "Retry-After": String(retryAfter) } },
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe("retrying an unavailable API", () => {
  it("reads Retry-After from the header when the body does not say", () => {
    const headers = new Headers({ "Retry-After": "7" });
    expect(toApiError(503, { error: { code: "SERVICE_UNAVAILABLE", message: "down" } }, headers).retryAfter).toBe(7);
    // the body wins; an HTTP date or garbage is ignored
    const both = { error: { code: "X", message: "x", details: { retryAfter: 3 } } };
    expect(toApiError(503, both, headers).retryAfter).toBe(3);
    expect(toApiError(503, {}, new Headers({ "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" })).retryAfter).toBeUndefined();
  });

  it("waits the Retry-After seconds before retrying a 503, and gives up when told to wait long", () => {
    const soon = new ApiError(503, "SERVICE_UNAVAILABLE", "down", { retryAfter: 5 });
    expect(shouldRetry(0, soon)).toBe(true);
    expect(errorTitle(soon)).toBe("Temporarily unavailable");
    expect(retryDelay(0, soon)).toBe(5_000);
    const later = new ApiError(503, "SERVICE_UNAVAILABLE", "down", { retryAfter: 600 });
    expect(shouldRetry(0, later)).toBe(false); // the user sees "try again in 10 minutes" instead
    // without Retry-After: exponential backoff
    const bare = new ApiError(502, "HTTP_502", "bad gateway");
    expect([retryDelay(0, bare), retryDelay(1, bare)]).toEqual([1_000, 2_000]);
    expect(shouldRetry(0, new ApiError(500, "INTERNAL_ERROR", "bug"))).toBe(false);
  });

  it("a query that meets a 503 is retried after Retry-After and then succeeds", async () => {
    vi.useFakeTimers();
    const server = fakeApi({ "GET /health": [() => unavailable(2, false), () => json(200, { status: "ok" })] });
    const api = createApi({ baseUrl: BASE_URL, fetch: server.fetch });
    const queryClient = createQueryClient();
    const result = queryClient.fetchQuery({
      queryKey: ["health"],
      queryFn: () => unwrap(api.client.GET("/health")),
    });
    await vi.advanceTimersByTimeAsync(1_900);
    expect(server.calls).toHaveLength(1); // still waiting the 2 s the API asked for
    await vi.advanceTimersByTimeAsync(200);
    await expect(result).resolves.toEqual({ status: "ok" });
    expect(server.calls).toHaveLength(2);
  });
});
