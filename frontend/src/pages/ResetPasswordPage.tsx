import { useEffect, useState } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import { ApiForm } from "../components/ApiForm";
import { AuthPage } from "../components/AuthPage";
import { NewPasswordFields } from "../components/fields";
import { newPasswordProblems } from "../components/formErrors";
import { useApiForm } from "../components/useApiForm";
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
  const form = useApiForm({
    initial: { newPassword: "", confirm: "" },
    check: ({ newPassword, confirm }) => newPasswordProblems("newPassword", newPassword, confirm),
    submit: ({ newPassword }) =>
      unwrap(api.client.POST("/auth/reset-password", { body: { token: token ?? "", newPassword } })).then(
        (answer) => answer.message,
      ),
  });

  useEffect(() => {
    if (location.hash) void navigate({ pathname: location.pathname, search: location.search }, { replace: true });
  }, [location.hash, location.pathname, location.search, navigate]);

  if (form.mutation.isSuccess) {
    const state: SignInState = { notice: form.mutation.data };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  const error = form.mutation.error;

  return (
    <AuthPage title="Choose a new password">
      {!token ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">This reset link is incomplete</p>
          <p>Open the link from the email again, or ask for a new one.</p>
        </div>
      ) : (
        <ApiForm form={form} submitLabel="Set the new password" pendingLabel="Saving…">
          <NewPasswordFields
            label="New password"
            password={form.field("newPassword")}
            confirm={form.field("confirm", { api: false })}
          />
        </ApiForm>
      )}
      {(!token || (error && TOKEN_CODES.has(error.code))) && (
        <p>
          <Link to="/forgot-password">Ask for a new reset link</Link>
        </p>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </AuthPage>
  );
}
