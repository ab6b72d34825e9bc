/**
 * The API's error model, `{"error": {"code", "message", "details"}}` (components.schemas.Error
 * in the contract), as one exception type the whole app handles. Anything else that can go
 * wrong (no network, a proxy's HTML page, a body that is not the model) becomes the same type,
 * so the UI has one thing to show.
 */
import type { components } from "./schema";

export type FieldError = components["schemas"]["FieldError"];

export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** each failing field (400 VALIDATION_ERROR, WEAK_PASSWORD) */
  get fields(): FieldError[] {
    const fields = this.details.fields;
    if (!Array.isArray(fields)) return [];
    return fields.filter(
      (f): f is FieldError =>
        !!f && typeof f === "object" && typeof f.field === "string" && typeof f.message === "string",
    );
  }

  /** the messages for one field of the request */
  fieldMessages(field: string): string[] {
    return this.fields.filter((f) => f.field === field).map((f) => f.message);
  }

  /** seconds to wait before retrying (429, 503) */
  get retryAfter(): number | undefined {
    const value = this.details.retryAfter;
    return typeof value === "number" && value > 0 ? value : undefined;
  }

  /** the request id to quote when reporting a problem */
  get requestId(): string | undefined {
    const value = this.details.requestId;
    return typeof value === "string" && value ? value : undefined;
  }
}

/** When the answer is not the error model, say what the status means. */
const STATUS_MESSAGES: Record<number, string> = {
  400: "The request was not accepted.",
  401: "You are not signed in, or your session has ended.",
  403: "You are not allowed to do this.",
  404: "Not found.",
  409: "This conflicts with the current state.",
  413: "The request is too large.",
  422: "The data cannot support this request.",
  429: "Too many requests. Wait a moment and try again.",
  501: "This feature is not available yet.",
  502: "The service failed to answer.",
  503: "The service is unavailable. Try again shortly.",
  504: "The service took too long to answer.",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/** The seconds of a `Retry-After: <seconds>` header (an HTTP date is not honoured). */
function retryAfterHeader(headers?: Headers): number | undefined {
  const value = headers?.get("Retry-After")?.trim();
  return value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
}

/** The ApiError for a non-2xx answer with `body` (parsed JSON, or text when it was not JSON);
 * a `Retry-After` header becomes `details.retryAfter` when the body does not say. */
export function toApiError(status: number, body: unknown, headers?: Headers): ApiError {
  const error = errorOf(status, body);
  const retryAfter = retryAfterHeader(headers);
  if (error.retryAfter === undefined && retryAfter !== undefined) error.details.retryAfter = retryAfter;
  return error;
}

function errorOf(status: number, body: unknown): ApiError {
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      /* not JSON: fall back on the status */
    }
  }
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, details } = body.error;
    return new ApiError(
      status,
      typeof code === "string" && code ? code : `HTTP_${status}`,
      typeof message === "string" && message ? message : (STATUS_MESSAGES[status] ?? `Request failed (${status}).`),
      isRecord(details) ? { ...details } : {},
    );
  }
  // e.g. API Gateway's default {"message": "..."} before its gateway responses are customised
  const message = isRecord(body) && typeof body.message === "string" && body.message ? body.message : undefined;
  return new ApiError(status, `HTTP_${status}`, message ?? STATUS_MESSAGES[status] ?? `Request failed (${status}).`);
}

export const NETWORK_ERROR = "NETWORK_ERROR";

/** fetch itself failed: offline, DNS, CORS refused, the API down. */
export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, NETWORK_ERROR, "Cannot reach the API. Check your connection and try again.");
  error.cause = cause;
  return error;
}

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof TypeError) return networkError(error);
  return new ApiError(0, "CLIENT_ERROR", error instanceof Error ? error.message : String(error));
}

/** A short heading for an error, by what the user can do about it. */
export function errorTitle(error: ApiError): string {
  if (error.status === 501 || error.code === "NOT_IMPLEMENTED") return "Not available yet";
  if (error.code === NETWORK_ERROR) return "No connection";
  if (error.status === 401) return error.code === "INVALID_CREDENTIALS" ? "Sign-in failed" : "Signed out";
  if (error.status === 403) return "Not allowed";
  if (error.status === 404) return "Not found";
  if (error.status === 429) return "Too many attempts";
  if (error.status === 503) return "Temporarily unavailable";
  if (error.status === 400 || error.status === 409 || error.status === 422) return "Please check and try again";
  if (error.status >= 500) return "Something went wrong";
  return "Request failed";
}
