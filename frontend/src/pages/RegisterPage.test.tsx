import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi, json, tokenPair, USER } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const rule = () => screen.getByRole("list", { name: "Password rule" });
const unmetChecks = () =>
  within(rule())
    .getAllByRole("listitem")
    .filter((li) => li.className === "unmet")
    .map((li) => li.dataset.check);

function fill(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("registering", () => {
  it("shows the password rule and follows the typing", async () => {
    renderApp({ path: "/register", fetch: fakeApi({}).fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    expect(within(rule()).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "• At least 12 characters (not met yet)",
      "• An upper-case letter (not met yet)",
      "• A lower-case letter (not met yet)",
      "• A digit (not met yet)",
      "• A symbol (not a letter or digit) (not met yet)",
    ]);
    fill("Password", "abc");
    expect(unmetChecks()).toEqual(["length", "upper", "digit", "symbol"]);
    fill("Password", "Abcdefgh1234");
    expect(unmetChecks()).toEqual(["symbol"]);
    fill("Email", "ada@example.com");
    fill("Password", "Ada-secret-1234");
    expect(unmetChecks()).toEqual(["email"]);
    fill("Password", "Lovelace-1843!");
    expect(unmetChecks()).toEqual([]);
    expect(within(rule()).getAllByRole("listitem")[0]!.textContent).toBe("✓ At least 12 characters (met)");
  });

  it("does not submit a password that breaks the rule", async () => {
    const server = fakeApi({});
    renderApp({ path: "/register", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fill("Name", "Ada");
    fill("Email", "ada@example.com");
    fill("Password", "short1!A");
    fill("Confirm password", "short1!A");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("The password does not meet every point of the rule.")).toBeTruthy();
    expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
    expect(server.calls).toHaveLength(0);
  });

  it("creates the account, signs in and opens the app", async () => {
    const server = fakeApi({
      "POST /auth/register": () => json(201, USER),
      "POST /auth/login": () => json(200, tokenPair(1)),
    });
    renderApp({ path: "/register", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fill("Name", " Ada Lovelace ");
    fill("Email", "ada@example.com");
    fill("Password", "Lovelace-1843!");
    fill("Confirm password", "Lovelace-1843!");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("heading", { name: "Overview" })).toBeTruthy();
    expect(server.calls.map((c) => [c.path, c.body])).toEqual([
      ["/auth/register", { email: "ada@example.com", password: "Lovelace-1843!", name: "Ada Lovelace" }],
      ["/auth/login", { email: "ada@example.com", password: "Lovelace-1843!" }],
    ]);
  });

  it("shows the API's field errors under their inputs", async () => {
    const server = fakeApi({
      "POST /auth/register": () =>
        apiError(400, "WEAK_PASSWORD", "The password is too weak: is too common", {
          fields: [{ field: "password", message: "is too common" }],
        }),
    });
    renderApp({ path: "/register", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fill("Name", "Ada");
    fill("Email", "ada@example.com");
    fill("Password", "Password123!");
    fill("Confirm password", "Password123!");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("is too common")).toBeTruthy();
    const password = screen.getByLabelText("Password");
    expect(password.getAttribute("aria-invalid")).toBe("true");
    const described = (password.getAttribute("aria-describedby") ?? "").split(" ");
    expect(described.map((id) => document.getElementById(id)?.textContent ?? "").join("|")).toContain("is too common");
    expect(screen.getByRole("alert").textContent).toContain("The password is too weak: is too common");
  });

  it("says so when the email is taken", async () => {
    const server = fakeApi({
      "POST /auth/register": () => apiError(409, "EMAIL_TAKEN", "An account with this email already exists"),
    });
    renderApp({ path: "/register", fetch: server.fetch });
    await screen.findByRole("heading", { level: 1 }); // the page loads with its route
    fill("Name", "Ada");
    fill("Email", "ada@example.com");
    fill("Password", "Lovelace-1843!");
    fill("Confirm password", "Lovelace-1843!");
    fireEvent.click(screen.getByRole("button", { name: "Create account" }));
    expect((await screen.findByRole("alert")).textContent).toContain("An account with this email already exists");
  });
});
