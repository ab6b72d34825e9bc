import { Link, Navigate, useLocation } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { ApiForm } from "../components/ApiForm";
import { AuthPage } from "../components/AuthPage";
import { EmailField, PasswordField } from "../components/fields";
import { useApiForm } from "../components/useApiForm";

export interface SignInState {
  /** where to go once signed in */
  from?: string;
  /** a message to show above the form (e.g. after a password reset) */
  notice?: string;
}

export function SignInPage() {
  const auth = useAuth();
  const location = useLocation();
  const state = (location.state ?? {}) as SignInState;
  const form = useApiForm({
    initial: { email: "", password: "" },
    check: ({ email, password }) => ({
      email: email.trim() ? undefined : "Enter your email address.",
      password: password ? undefined : "Enter your password.",
    }),
    submit: ({ email, password }) => auth.signIn(email.trim(), password),
  });

  // Signed in (now, or already): on to where the user was going.
  if (auth.status === "signed-in") return <Navigate to={state.from || "/"} replace />;
  const notice = state.notice ?? auth.notice;

  return (
    <AuthPage title="Sign in">
      {notice && (
        <p className="alert alert-info" role="status">
          {notice}
        </p>
      )}
      <ApiForm form={form} submitLabel="Sign in" pendingLabel="Signing in…">
        <EmailField autoComplete="username" {...form.field("email")} />
        <PasswordField {...form.field("password")} />
      </ApiForm>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to="/register">Create an account</Link>
      </p>
    </AuthPage>
  );
}
