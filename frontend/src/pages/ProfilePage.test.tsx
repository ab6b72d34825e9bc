import { fireEvent, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi, json, tokenPair, USER } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

describe("the profile", () => {
  it("shows GET /auth/me and saves a new name with PATCH /auth/me", async () => {
    const server = fakeApi({
      "GET /auth/me": () => json(200, USER),
      "PATCH /auth/me": ({ body }) => json(200, { ...USER, name: (body as { name: string }).name }),
    });
    renderApp({ path: "/profile", fetch: server.fetch, tokens: tokenPair(1) });

    expect(await screen.findByText("ada@example.com")).toBeTruthy();
    const name = screen.getByLabelText("Display name") as HTMLInputElement;
    expect(name.value).toBe("Ada Lovelace");
    fireEvent.change(name, { target: { value: "  Ada King " } });
    fireEvent.click(screen.getByRole("button", { name: "Save name" }));

    expect((await screen.findByRole("status")).textContent).toBe("Your name was saved.");
    expect(server.callsTo("PATCH", "/auth/me")[0]!.body).toEqual({ name: "Ada King" });
    expect(screen.getByRole("link", { name: "Ada King" })).toBeTruthy(); // the header follows
  });

  it("changes the password, then signs in again with it", async () => {
    const server = fakeApi({
      "GET /auth/me": () => json(200, USER),
      "POST /auth/change-password": [
        () =>
          apiError(400, "INVALID_CURRENT_PASSWORD", "The current password is wrong", {
            fields: [{ field: "currentPassword", message: "is wrong" }],
          }),
        () => new Response(null, { status: 204 }),
      ],
      "POST /auth/login": () => json(200, tokenPair(2)),
    });
    const { session } = renderApp({ path: "/profile", fetch: server.fetch, tokens: tokenPair(1) });
    await screen.findByText("ada@example.com");

    const submit = (current: string) => {
      fireEvent.change(screen.getByLabelText("Current password"), { target: { value: current } });
      fireEvent.change(screen.getByLabelText("New password"), { target: { value: "Lovelace-1843!" } });
      fireEvent.change(screen.getByLabelText("Confirm new password"), { target: { value: "Lovelace-1843!" } });
      fireEvent.click(screen.getByRole("button", { name: "Change password" }));
    };
    submit("wrong");
    expect(await screen.findByText("is wrong")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).toContain("The current password is wrong");

    submit("Old-password-1!");
    expect((await screen.findByRole("status")).textContent).toContain("Your password was changed.");
    expect(server.callsTo("POST", "/auth/change-password")[1]!.body).toEqual({
      currentPassword: "Old-password-1!",
      newPassword: "Lovelace-1843!",
    });
    expect(server.callsTo("POST", "/auth/login")[0]!.body).toEqual({ email: USER.email, password: "Lovelace-1843!" });
    expect(session.refreshToken).toBe("refresh-2");
  });
});
