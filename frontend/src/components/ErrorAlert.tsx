import { ApiError, errorTitle } from "../api/errors";

interface Props {
  error: ApiError;
  /** fields shown next to their inputs; the others are listed here */
  inlineFields?: readonly string[];
  onRetry?: () => void;
}

/** An API error as the user reads it: what kind of problem, the API's own message, the
 * fields it names, when to retry, and the request id for support. Announced when it appears. */
export function ErrorAlert({ error, inlineFields = [], onRetry }: Props) {
  const otherFields = error.fields.filter((f) => !inlineFields.includes(f.field));
  const notAvailable = error.status === 501;
  return (
    <div className={notAvailable ? "alert alert-info" : "alert alert-error"} role="alert">
      <p className="alert-title">{errorTitle(error)}</p>
      <p>{error.message}</p>
      {otherFields.length > 0 && (
        <ul>
          {otherFields.map((f, i) => (
            <li key={`${f.field}-${i}`}>
              <code>{f.field}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
      {error.retryAfter !== undefined && <p>Try again in {formatWait(error.retryAfter)}.</p>}
      {error.requestId && <p className="alert-meta">Request id: {error.requestId}</p>}
      {onRetry && !notAvailable && (
        <button type="button" className="button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

function formatWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
