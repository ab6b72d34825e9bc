import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi, json } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";
import { tokenFromHash } from "./ResetPasswordPage";

function submit(password: string) {
  fireEvent.change(screen.getByLabelText("New password"), { target: { value: password } });
  fireEvent.change(screen.getByLabelText("Confirm new password"), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Set the new password" }));
}

describe("resetting the password", () => {
  it("reads the token from the fragment", async () => {
    expect(tokenFromHash("#token=abc_DEF-123")).toBe("abc_DEF-123");
    expect(tokenFromHash("#token=a%2Bb")).toBe("a+b");
    expect(tokenFromHash("#other=1")).toBeNull();
    expect(tokenFromHash("")).toBeNull();
  });

  it("sends the fragment's token with the new password, then opens sign-in with the API's message", async () => {
    const server = fakeApi({
      "POST /auth/reset-password": () =>
        json(200, { message: "Your password has been reset. Sign in with the new password." }),
    });
    renderApp({ path: "/reset-password#token=tok-4c1e9a", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    // the token leaves the address bar at once
    await waitFor(() => expect(screen.getByTestId("location").textContent).toBe("/reset-password"));

    submit("Lovelace-1843!");

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Your password has been reset. Sign in with the new password.");
    expect(server.calls.map((c) => [c.path, c.body, c.authorization])).toEqual([
      ["/auth/reset-password", { token: "tok-4c1e9a", newPassword: "Lovelace-1843!" }, null],
    ]);
  });

  it("explains an expired token and offers a new link", async () => {
    const server = fakeApi({
      "POST /auth/reset-password": () => apiError(400, "RESET_TOKEN_EXPIRED", "The reset token has expired"),
    });
    renderApp({ path: "/reset-password#token=old", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    submit("Lovelace-1843!");
    expect((await screen.findByRole("alert")).textContent).toContain("The reset token has expired");
    expect(screen.getByRole("link", { name: "Ask for a new reset link" }).getAttribute("href")).toBe("/forgot-password");
  });

  it("says the link is incomplete without a token, and sends nothing", async () => {
    const server = fakeApi({});
    renderApp({ path: "/reset-password", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    expect(screen.getByRole("alert").textContent).toContain("This reset link is incomplete");
    expect(screen.queryByLabelText("New password")).toBeNull();
    expect(server.calls).toHaveLength(0);
  });
});
