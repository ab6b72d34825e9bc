import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { REFRESH_TOKEN_KEY } from "../api/session";
import { apiError, fakeApi, json, tokenPair } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

function fillAndSubmit(email: string, password: string) {
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("signing in", () => {
  it("sends the credentials and opens the app shell", async () => {
    const server = fakeApi({ "POST /auth/login": () => json(200, tokenPair(1)) });
    renderApp({ path: "/sign-in", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route

    fillAndSubmit("ada@example.com", "Correct-horse-1");

    const nav = await screen.findByRole("navigation", { name: "Main" });
    expect(within(nav).getAllByRole("link").map((a) => a.textContent)).toEqual([
      "Overview",
      "Analytics",
      "Market intelligence",
      "Demand insights",
      "Compliance",
      "Retail copilot",
      "Global market",
      "Profile",
    ]);
    expect(await screen.findByRole("heading", { level: 1, name: "Overview" })).toBeTruthy();
    expect(await screen.findByText("Welcome, Ada Lovelace.", { exact: false })).toBeTruthy();
    expect(screen.getByTestId("location").textContent).toBe("/");
    expect(server.calls.map((c) => [c.path, c.body])).toEqual([
      ["/auth/login", { email: "ada@example.com", password: "Correct-horse-1" }],
    ]);
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBe("refresh-1");
  });

  it("shows the API's message for wrong credentials and stays on the page", async () => {
    const server = fakeApi({
      "POST /auth/login": () => apiError(401, "INVALID_CREDENTIALS", "Wrong email or password"),
    });
    renderApp({ path: "/sign-in", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fillAndSubmit("ada@example.com", "wrong");
    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("Sign-in failed")).toBeTruthy();
    expect(within(alert).getByText("Wrong email or password")).toBeTruthy();
    expect(screen.getByTestId("location").textContent).toBe("/sign-in");
  });

  it("checks the fields before calling the API", async () => {
    const server = fakeApi({});
    renderApp({ path: "/sign-in", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Enter your email address.")).toBeTruthy();
    expect(screen.getByText("Enter your password.")).toBeTruthy();
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(server.calls).toHaveLength(0);
  });

  it("sends a signed-out visitor to sign in, then back where they were going", async () => {
    const server = fakeApi({
      "POST /auth/login": () => json(200, tokenPair(1)),
      "GET /analytics/kpis": () => apiError(501, "NOT_IMPLEMENTED", "analytics-service does not implement GET /analytics/kpis yet"),
    });
    renderApp({ path: "/analytics", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    fillAndSubmit("ada@example.com", "Correct-horse-1");
    expect(await screen.findByRole("heading", { name: "Analytics" })).toBeTruthy();
    expect(screen.getByTestId("location").textContent).toBe("/analytics");
  });

  it("signs out: revokes the refresh token and returns to the sign-in page", async () => {
    const server = fakeApi({
      "GET /auth/me": () => json(200, tokenPair(0).user),
      "POST /auth/logout": () => new Response(null, { status: 204 }),
    });
    renderApp({ path: "/", fetch: server.fetch, tokens: tokenPair(2) });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(server.callsTo("POST", "/auth/logout")[0]).toMatchObject({
      authorization: "Bearer access-2",
      body: { refreshToken: "refresh-2" },
    });
    expect(sessionStorage.getItem(REFRESH_TOKEN_KEY)).toBeNull();
  });

  it("tells the user when the session ended because the refresh was refused", async () => {
    const server = fakeApi({
      "GET /auth/me": () => apiError(401, "UNAUTHORIZED", "Unauthorized"),
      "POST /auth/refresh": () => apiError(401, "INVALID_REFRESH_TOKEN", "The refresh token is invalid"),
    });
    renderApp({ path: "/profile", fetch: server.fetch, tokens: tokenPair(3) });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Your session has ended. Please sign in again.");
  });
});
