import { describe, expect, it } from "vitest";
import { isStrongPassword, passwordChecks } from "./passwordRule";

const unmet = (password: string, email?: string) =>
  passwordChecks(password, email)
    .filter((c) => !c.met)
    .map((c) => c.id);

describe("the strong-password rule", () => {
  it("names each missing class", () => {
    expect(unmet("")).toEqual(["length", "upper", "lower", "digit", "symbol"]);
    expect(unmet("abcdefghijkl")).toEqual(["upper", "digit", "symbol"]);
    expect(unmet("Abcdefghij1!")).toEqual([]);
    expect(unmet("Abcdefghij1")).toEqual(["length", "symbol"]);
  });

  it("counts characters, not UTF-16 units, and knows non-ASCII letters", () => {
    expect(unmet("Ééééééééé1!")).toEqual(["length"]); // 11 code points
    expect(unmet("Éééééééééé1!")).toEqual([]);
  });

  it("refuses the email's local part once it has 3 characters", () => {
    expect(unmet("xxAdaLovelace1!", "adalovelace@example.com")).toEqual(["email"]);
    expect(isStrongPassword("Strong-pass-123", "ada@example.com")).toBe(true);
    expect(passwordChecks("Strong-pass-123", "al@example.com").map((c) => c.id)).not.toContain("email");
  });
});
