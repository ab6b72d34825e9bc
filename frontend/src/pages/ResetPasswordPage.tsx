import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import { asApiError, type ApiError } from "../api/errors";
import { isStrongPassword, MAX_PASSWORD_LENGTH } from "../auth/passwordRule";
import { ErrorAlert } from "../components/ErrorAlert";
import { Field } from "../components/Field";
import { errorsFor, hasProblems, type Problems } from "../components/formErrors";
import { PageHeading } from "../components/PageHeading";
import { PasswordRule } from "../components/PasswordRule";
import type { SignInState } from "./SignInPage";

/** The reset token from the link's fragment, `/reset-password#token=...` (a fragment never
 * reaches a server: no CDN or access log, no Referer header sees it). */
export function tokenFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") || null;
}

const TOKEN_CODES = new Set(["INVALID_RESET_TOKEN", "RESET_TOKEN_EXPIRED"]);

export function ResetPasswordPage() {
  const api = useApi();
  const location = useLocation();
  const navigate = useNavigate();
  // Read once, then dropped from the address bar so it stays out of the history.
  const [token] = useState(() => tokenFromHash(location.hash));
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<Problems>({});

  useEffect(() => {
    if (location.hash) void navigate({ pathname: location.pathname, search: location.search }, { replace: true });
  }, [location.hash, location.pathname, location.search, navigate]);

  const reset = useMutation<string, ApiError>({
    mutationFn: () =>
      unwrap(api.client.POST("/auth/reset-password", { body: { token: token ?? "", newPassword: password } })).then(
        (answer) => answer.message,
        (e: unknown) => Promise.reject(asApiError(e)),
      ),
  });

  if (reset.isSuccess) {
    const state: SignInState = { notice: reset.data };
    return <Navigate to="/sign-in" replace state={state} />;
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems = {
      newPassword: isStrongPassword(password) ? undefined : "The password does not meet every point of the rule.",
      confirm: confirm === password ? undefined : "The passwords do not match.",
    };
    setProblems(found);
    if (!hasProblems(found)) reset.mutate();
  };
  const error = reset.error;

  return (
    <main className="auth-page" id="main">
      <PageHeading>Choose a new password</PageHeading>
      {!token ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">This reset link is incomplete</p>
          <p>Open the link from the email again, or ask for a new one.</p>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <Field
            label="New password"
            type="password"
            name="newPassword"
            autoComplete="new-password"
            required
            maxLength={MAX_PASSWORD_LENGTH}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            hint={<PasswordRule password={password} />}
            errors={errorsFor("newPassword", problems, error)}
          />
          <Field
            label="Confirm new password"
            type="password"
            name="confirm"
            autoComplete="new-password"
            required
            maxLength={MAX_PASSWORD_LENGTH}
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            errors={errorsFor("confirm", problems, null)}
          />
          {error && <ErrorAlert error={error} inlineFields={["newPassword"]} />}
          <button type="submit" disabled={reset.isPending}>
            {reset.isPending ? "Saving…" : "Set the new password"}
          </button>
        </form>
      )}
      {(!token || (error && TOKEN_CODES.has(error.code))) && (
        <p>
          <Link to="/forgot-password">Ask for a new reset link</Link>
        </p>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
