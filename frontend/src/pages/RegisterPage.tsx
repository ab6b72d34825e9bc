import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Navigate } from "react-router";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import { asApiError, type ApiError } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { isStrongPassword, MAX_PASSWORD_LENGTH } from "../auth/passwordRule";
import { ErrorAlert } from "../components/ErrorAlert";
import { Field } from "../components/Field";
import { errorsFor, hasProblems, type Problems } from "../components/formErrors";
import { PageHeading } from "../components/PageHeading";
import { PasswordRule } from "../components/PasswordRule";
import type { SignInState } from "./SignInPage";

/** POST /auth/register, then sign in with the same credentials and open the app. */
export function RegisterPage() {
  const api = useApi();
  const auth = useAuth();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<Problems>({});

  const register = useMutation<"signed-in" | "created", ApiError>({
    mutationFn: async () => {
      const body = { email: email.trim(), password, name: name.trim() };
      await unwrap(api.client.POST("/auth/register", { body })).catch((e: unknown) => Promise.reject(asApiError(e)));
      try {
        await auth.signIn(body.email, password);
        return "signed-in";
      } catch {
        return "created"; // the account exists: let the user sign in by hand
      }
    },
  });

  if (auth.status === "signed-in") return <Navigate to="/" replace />;
  if (register.data === "created") {
    const state: SignInState = { notice: "Your account was created. Sign in to continue." };
    return <Navigate to="/sign-in" replace state={state} />;
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems = {
      name: name.trim() ? undefined : "Enter your name.",
      email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? undefined : "Enter a valid email address.",
      password: isStrongPassword(password, email) ? undefined : "The password does not meet every point of the rule.",
      confirm: confirm === password ? undefined : "The passwords do not match.",
    };
    setProblems(found);
    if (!hasProblems(found)) register.mutate();
  };
  const error = register.error;

  return (
    <main className="auth-page" id="main">
      <PageHeading>Create an account</PageHeading>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label="Name"
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          errors={errorsFor("name", problems, error)}
        />
        <Field
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
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
          autoComplete="new-password"
          required
          maxLength={MAX_PASSWORD_LENGTH}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={<PasswordRule password={password} email={email} />}
          errors={errorsFor("password", problems, error)}
        />
        <Field
          label="Confirm password"
          type="password"
          name="confirm"
          autoComplete="new-password"
          required
          maxLength={MAX_PASSWORD_LENGTH}
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          errors={errorsFor("confirm", problems, null)}
        />
        {error && <ErrorAlert error={error} inlineFields={["name", "email", "password"]} />}
        <button type="submit" disabled={register.isPending}>
          {register.isPending ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
