import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SIGNED_IN } from "../test/areaFixtures";
import { apiError, fakeApi, tokenPair, type Call } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

/** Each area, the service behind it, and the operations it calls as it opens. */
const AREAS = [
  ["/analytics", "Analytics", "analytics-service", ["GET /analytics/kpis", "GET /analytics/sales-timeseries", "GET /analytics/cohorts", "GET /analytics/datasets"]],
  ["/global-market", "Global market", "global-market-pulse", ["GET /global-market/trends", "GET /global-market/market-share", "GET /global-market/currencies"]],
  ["/market-intelligence", "Market intelligence", "market-intelligence", ["POST /market-intelligence/forecast", "GET /market-intelligence/anomalies"]],
  ["/demand-insights", "Demand insights", "demand-insights", ["GET /demand-insights/segments", "GET /demand-insights/at-risk-customers"]],
  ["/compliance", "Compliance", "compliance-guardian", ["GET /compliance/fraud-statistics", "GET /compliance/cases"]],
  ["/copilot", "Retail copilot", "retail-copilot", ["GET /copilot/conversations"]],
] as const;

describe("the services' areas", () => {
  it.each(AREAS)("%s shows a service's 501 in each section, with the API's message", async (path, title, service, operations) => {
    const server = fakeApi({
      ...SIGNED_IN,
      "*": (call: Call) => apiError(501, "NOT_IMPLEMENTED", `${service} does not implement ${call.method} ${call.path} yet`, { requestId: "req-501" }),
    });
    renderApp({ path, fetch: server.fetch, tokens: tokenPair(1) });

    expect(await screen.findByRole("heading", { level: 1, name: title })).toBeTruthy();
    for (const operation of operations) {
      const [method, route] = operation.split(" ") as [string, string];
      const message = `${service} does not implement ${operation} yet`;
      const text = await screen.findByText(message);
      const alert = text.closest('[role="alert"]') as HTMLElement;
      expect(within(alert).getByText("Not available yet")).toBeTruthy();
      expect(alert.textContent).toContain("Request id: req-501");
      expect(server.callsTo(method, route)[0]!.authorization).toBe("Bearer access-1");
    }
    expect(screen.queryByRole("img")).toBeNull(); // no chart drawn from nothing
    // an area calls its own service only (and the auth service for who is signed in)
    expect(server.calls.filter((c) => !c.path.startsWith("/auth/") && !c.path.startsWith(`${path}/`))).toEqual([]);
  });
});
