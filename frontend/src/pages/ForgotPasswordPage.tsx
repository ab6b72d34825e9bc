import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import { asApiError, type ApiError } from "../api/errors";
import { ErrorAlert } from "../components/ErrorAlert";
import { Field } from "../components/Field";
import { errorsFor, hasProblems, type Problems } from "../components/formErrors";
import { PageHeading } from "../components/PageHeading";

/** POST /auth/forgot-password. The API answers the same whether or not the account exists. */
export function ForgotPasswordPage() {
  const api = useApi();
  const [email, setEmail] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const request = useMutation<string, ApiError>({
    mutationFn: () =>
      unwrap(api.client.POST("/auth/forgot-password", { body: { email: email.trim() } })).then(
        (answer) => answer.message,
        (e: unknown) => Promise.reject(asApiError(e)),
      ),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems = { email: email.trim() ? undefined : "Enter your email address." };
    setProblems(found);
    if (!hasProblems(found)) request.mutate();
  };

  return (
    <main className="auth-page" id="main">
      <PageHeading>Forgot your password?</PageHeading>
      {request.isSuccess ? (
        <div className="alert alert-success" role="status">
          <p>{request.data}</p>
          <p>The link in the email is valid for 30 minutes and works once.</p>
        </div>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <p>Enter the email of your account and we will send you a link to choose a new password.</p>
          <Field
            label="Email"
            type="email"
            name="email"
            autoComplete="email"
            required
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            errors={errorsFor("email", problems, request.error)}
          />
          {request.error && <ErrorAlert error={request.error} inlineFields={["email"]} />}
          <button type="submit" disabled={request.isPending}>
            {request.isPending ? "Sending…" : "Send the reset link"}
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
