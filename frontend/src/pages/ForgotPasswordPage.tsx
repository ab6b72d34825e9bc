import { Link } from "react-router";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import { ApiForm } from "../components/ApiForm";
import { AuthPage } from "../components/AuthPage";
import { EmailField } from "../components/fields";
import { useApiForm } from "../components/useApiForm";

/** POST /auth/forgot-password. The API answers the same whether or not the account exists. */
export function ForgotPasswordPage() {
  const api = useApi();
  const form = useApiForm({
    initial: { email: "" },
    check: ({ email }) => ({ email: email.trim() ? undefined : "Enter your email address." }),
    submit: ({ email }) =>
      unwrap(api.client.POST("/auth/forgot-password", { body: { email: email.trim() } })).then((a) => a.message),
  });

  return (
    <AuthPage title="Forgot your password?">
      {form.mutation.isSuccess ? (
        <div className="alert alert-success" role="status">
          <p>{form.mutation.data}</p>
          <p>The link in the email is valid for 30 minutes and works once.</p>
        </div>
      ) : (
        <ApiForm form={form} submitLabel="Send the reset link" pendingLabel="Sending…">
          <p>Enter the email of your account and we will send you a link to choose a new password.</p>
          <EmailField {...form.field("email")} />
        </ApiForm>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </AuthPage>
  );
}
