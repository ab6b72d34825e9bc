import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation } from "react-router";
import { asApiError, type ApiError } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { ErrorAlert } from "../components/ErrorAlert";
import { Field } from "../components/Field";
import { errorsFor, hasProblems, type Problems } from "../components/formErrors";
import { PageHeading } from "../components/PageHeading";

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
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problems, setProblems] = useState<Problems>({});

  const signIn = useMutation<void, ApiError>({
    mutationFn: () => auth.signIn(email.trim(), password).catch((e: unknown) => Promise.reject(asApiError(e))),
  });

  // Signed in (now, or already): on to where the user was going.
  if (auth.status === "signed-in") return <Navigate to={state.from || "/"} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems = {
      email: email.trim() ? undefined : "Enter your email address.",
      password: password ? undefined : "Enter your password.",
    };
    setProblems(found);
    if (!hasProblems(found)) signIn.mutate();
  };
  const error = signIn.error;
  const notice = state.notice ?? auth.notice;

  return (
    <main className="auth-page" id="main">
      <PageHeading>Sign in</PageHeading>
      {notice && (
        <p className="alert alert-info" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={onSubmit} noValidate>
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="username"
          required
          maxLength={254}
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          errors={errorsFor("email", problems, error)}
        />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          maxLength={128}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          errors={errorsFor("password", problems, error)}
        />
        {error && <ErrorAlert error={error} inlineFields={["email", "password"]} />}
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to="/register">Create an account</Link>
      </p>
    </main>
  );
}
