import { Link, Navigate } from "react-router";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import { useAuth } from "../auth/AuthProvider";
import { ApiForm } from "../components/ApiForm";
import { AuthPage } from "../components/AuthPage";
import { EmailField, NameField, NewPasswordFields } from "../components/fields";
import { newPasswordProblems } from "../components/formErrors";
import { useApiForm } from "../components/useApiForm";
import type { SignInState } from "./SignInPage";

/** POST /auth/register, then sign in with the same credentials and open the app. */
export function RegisterPage() {
  const api = useApi();
  const auth = useAuth();
  const form = useApiForm({
    initial: { name: "", email: "", password: "", confirm: "" },
    check: ({ name, email, password, confirm }) => ({
      name: name.trim() ? undefined : "Enter your name.",
      email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? undefined : "Enter a valid email address.",
      ...newPasswordProblems("password", password, confirm, email),
    }),
    submit: async ({ name, email, password }): Promise<"signed-in" | "created"> => {
      const body = { email: email.trim(), password, name: name.trim() };
      await unwrap(api.client.POST("/auth/register", { body }));
      try {
        await auth.signIn(body.email, password);
        return "signed-in";
      } catch {
        return "created"; // the account exists: let the user sign in by hand
      }
    },
  });

  if (auth.status === "signed-in") return <Navigate to="/" replace />;
  if (form.mutation.data === "created") {
    const state: SignInState = { notice: "Your account was created. Sign in to continue." };
    return <Navigate to="/sign-in" replace state={state} />;
  }

  return (
    <AuthPage title="Create an account">
      <ApiForm form={form} submitLabel="Create account" pendingLabel="Creating your account…">
        <NameField {...form.field("name")} />
        <EmailField {...form.field("email")} />
        <NewPasswordFields
          password={form.field("password")}
          confirm={form.field("confirm", { api: false })}
          email={form.values.email}
        />
      </ApiForm>
      <p>
        Already have an account? <Link to="/sign-in">Sign in</Link>
      </p>
    </AuthPage>
  );
}
