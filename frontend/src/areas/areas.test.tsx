import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi, json, tokenPair, USER } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const SIGNED_IN = { "GET /auth/me": () => json(200, USER) };

/** Each area, the operation it calls and the service that owns it. */
const AREA_OPERATIONS = [
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

  it("shows an empty conversation list as such", async () => {
    const server = fakeApi({ ...SIGNED_IN, "GET /copilot/conversations": () => json(200, { items: [], count: 0 }) });
    renderApp({ path: "/copilot", fetch: server.fetch, tokens: tokenPair(1) });
    expect(await screen.findByText("You have no conversations yet.")).toBeTruthy();
  });

});
