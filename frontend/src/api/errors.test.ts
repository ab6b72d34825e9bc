import { describe, expect, it } from "vitest";
import { ApiError, asApiError, errorTitle, NETWORK_ERROR, toApiError } from "./errors";

describe("toApiError", () => {
  it("reads the error model: code, message, fields, retryAfter, requestId", () => {
    const error = toApiError(400, {
      error: {
        code: "WEAK_PASSWORD",
        message: "The password is too weak: must contain a digit",
        details: {
          fields: [
            { field: "password", message: "must contain a digit" },
            { field: "password", message: "is too common" },
            { field: "email", message: "must be a valid email address" },
          ],
          requestId: "req-123",
        },
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("WEAK_PASSWORD");
    expect(error.message).toBe("The password is too weak: must contain a digit");
    expect(error.fieldMessages("password")).toEqual(["must contain a digit", "is too common"]);
    expect(error.fieldMessages("email")).toEqual(["must be a valid email address"]);
    expect(error.fieldMessages("name")).toEqual([]);
    expect(error.requestId).toBe("req-123");
    expect(error.retryAfter).toBeUndefined();
  });

  it("reads retryAfter of a 429 and parses a body left as text", () => {
    const body = JSON.stringify({ error: { code: "ACCOUNT_LOCKED", message: "Locked", details: { retryAfter: 840 } } });
    const error = toApiError(429, body);
    expect(error.code).toBe("ACCOUNT_LOCKED");
    expect(error.retryAfter).toBe(840);
    expect(errorTitle(error)).toBe("Too many attempts");
  });

  it("ignores malformed fields instead of failing", () => {
    const error = toApiError(400, {
      error: { code: "VALIDATION_ERROR", message: "Invalid", details: { fields: [{ field: 1 }, "x", null] } },
    });
    expect(error.fields).toEqual([]);
  });

  it("falls back on the status when the body is not the model", () => {
    const gateway = toApiError(401, { message: "Unauthorized" });
    expect([gateway.code, gateway.message]).toEqual(["HTTP_401", "Unauthorized"]);
    const html = toApiError(502, "<html>Bad Gateway</html>");
    expect([html.code, html.message]).toEqual(["HTTP_502", "The service failed to answer."]);
    const empty = toApiError(418, undefined);
    expect(empty.message).toBe("Request failed (418).");
  });

  it("titles a 501 as not available yet, and a failed fetch as no connection", () => {
    const notYet = toApiError(501, {
      error: { code: "NOT_IMPLEMENTED", message: "analytics-service does not implement GET /analytics/kpis yet", details: {} },
    });
    expect(errorTitle(notYet)).toBe("Not available yet");
    const offline = asApiError(new TypeError("Failed to fetch"));
    expect(offline.code).toBe(NETWORK_ERROR);
    expect(errorTitle(offline)).toBe("No connection");
  });
});
