import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi, json, tokenPair, USER } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const SIGNED_IN = { "GET /auth/me": () => json(200, USER) };

/** Each area, the operation it calls and the service that owns it. */
const AREA_OPERATIONS = [
  ["/compliance", "Compliance", "GET", "/compliance/fraud-statistics", "compliance-guardian"],
  ["/copilot", "Retail copilot", "GET", "/copilot/conversations", "retail-copilot"],
] as const;

describe("the services' areas", () => {
  it.each(AREA_OPERATIONS)("%s shows a 501 as not available yet, with the API's message", async (path, title, method, operation, service) => {
    const message = `${service} does not implement ${method} ${operation} yet`;
    const server = fakeApi({
      ...SIGNED_IN,
      [`${method} ${operation}`]: () => apiError(501, "NOT_IMPLEMENTED", message, { requestId: "req-501" }),
    });
    renderApp({ path, fetch: server.fetch, tokens: tokenPair(1) });

    expect(await screen.findByRole("heading", { level: 1, name: title })).toBeTruthy();
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("Not available yet")).toBeTruthy();
    expect(within(alert).getByText(message)).toBeTruthy();
    expect(alert.textContent).toContain("Request id: req-501");
    expect(server.callsTo(method, operation)).toHaveLength(1);
    expect(server.callsTo(method, operation)[0]!.authorization).toBe("Bearer access-1");
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("renders the fraud statistics when compliance answers", async () => {
    const server = fakeApi({
      ...SIGNED_IN,
      "GET /compliance/fraud-statistics": () =>
        json(200, {
          period: { from: "2025-06-01", to: "2025-06-30" },
          transactions: 20000,
          fraudulent: 150,
          fraudRate: 0.0075,
          byMethod: [
            { key: "card", transactions: 15000, fraudulent: 140, fraudRate: 0.009333 },
            { key: "paypal", transactions: 5000, fraudulent: 10, fraudRate: 0.002 },
          ],
          byCountry: [],
          byAmountBand: [],
        }),
    });
    renderApp({ path: "/compliance", fetch: server.fetch, tokens: tokenPair(1) });

    const table = await screen.findByRole("table", { name: "By payment method" });
    const rows = within(table)
      .getAllByRole("row")
      .map((row) => [...row.querySelectorAll("th, td")].map((c) => c.textContent));
    expect(rows).toEqual([
      ["Method", "Payments", "Fraudulent", "Fraud rate"],
      ["card", "15,000", "140", "0.93%"],
      ["paypal", "5,000", "10", "0.2%"],
    ]);
    expect(screen.getByText("150 (0.75%)")).toBeTruthy();
    expect(screen.getAllByRole("table")).toHaveLength(1); // empty breakdowns are not drawn
  });

  it("shows an empty conversation list as such", async () => {
    const server = fakeApi({ ...SIGNED_IN, "GET /copilot/conversations": () => json(200, { items: [], count: 0 }) });
    renderApp({ path: "/copilot", fetch: server.fetch, tokens: tokenPair(1) });
    expect(await screen.findByText("You have no conversations yet.")).toBeTruthy();
  });

});
