import { useQueryClient } from "@tanstack/react-query";
import { unwrap, type UserProfile } from "../api/client";
import { useApi } from "../api/context";
import { ME_KEY, useCurrentUser } from "../auth/AuthProvider";
import { ApiForm } from "../components/ApiForm";
import { ErrorAlert } from "../components/ErrorAlert";
import { NameField, NewPasswordFields, PasswordField } from "../components/fields";
import { formatDateTime } from "../components/format";
import { newPasswordProblems, type Problems } from "../components/formErrors";
import { PageHeading } from "../components/PageHeading";
import { useApiForm } from "../components/useApiForm";

/** GET/PATCH /auth/me and POST /auth/change-password. */
export default function ProfilePage() {
  const me = useCurrentUser();
  return (
    <>
      <PageHeading>Your profile</PageHeading>
      {me.isPending && (
        <p className="page-status" role="status">
          Loading your profile…
        </p>
      )}
      {me.error && <ErrorAlert error={me.error} onRetry={() => void me.refetch()} />}
      {me.data && (
        <>
          <dl className="facts">
            <dt>Email</dt>
            <dd>{me.data.email}</dd>
            <dt>Role</dt>
            <dd>{me.data.role}</dd>
            <dt>Member since</dt>
            <dd>{formatDateTime(me.data.createdAt)}</dd>
          </dl>
          <NameForm user={me.data} />
          <ChangePasswordForm user={me.data} />
        </>
      )}
    </>
  );
}

function NameForm({ user }: { user: UserProfile }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const form = useApiForm({
    initial: { name: user.name },
    check: ({ name }) => ({ name: name.trim() ? undefined : "Enter a name." }),
    submit: ({ name }) => unwrap(api.client.PATCH("/auth/me", { body: { name: name.trim() } })),
    onSuccess: (profile) => queryClient.setQueryData(ME_KEY, profile),
    resetOnEdit: true,
  });

  return (
    <section aria-labelledby="name-heading" className="panel">
      <h2 id="name-heading">Name</h2>
      <ApiForm form={form} submitLabel="Save name" pendingLabel="Saving…" success="Your name was saved.">
        <NameField label="Display name" {...form.field("name")} />
      </ApiForm>
    </section>
  );
}

function ChangePasswordForm({ user }: { user: UserProfile }) {
  const api = useApi();
  const form = useApiForm({
    initial: { currentPassword: "", newPassword: "", confirm: "" },
    check: ({ currentPassword, newPassword, confirm }) => {
      const found: Problems = {
        currentPassword: currentPassword ? undefined : "Enter your current password.",
        ...newPasswordProblems("newPassword", newPassword, confirm, user.email),
      };
      if (!found.newPassword && newPassword === currentPassword) {
        found.newPassword = "The new password must differ from the current one.";
      }
      return found;
    },
    submit: async ({ currentPassword, newPassword }) => {
      await unwrap(api.client.POST("/auth/change-password", { body: { currentPassword, newPassword } }));
      // The change revokes every refresh token, this tab's too: sign in again with the new
      // password so this session goes on past its access token.
      return api.signIn(user.email, newPassword).then(
        () => true,
        () => false,
      );
    },
    clearOnSuccess: true,
  });

  return (
    <section aria-labelledby="password-heading" className="panel">
      <h2 id="password-heading">Change password</h2>
      <ApiForm
        form={form}
        submitLabel="Change password"
        pendingLabel="Changing…"
        success={
          form.mutation.data
            ? "Your password was changed. Other sessions end when their current access expires (15 minutes at most by default)."
            : "Your password was changed. Sign in again with the new password when asked."
        }
      >
        {/* lets password managers pair the new password with the account */}
        <input type="hidden" name="username" autoComplete="username" value={user.email} />
        <PasswordField label="Current password" {...form.field("currentPassword")} />
        <NewPasswordFields
          label="New password"
          password={form.field("newPassword")}
          confirm={form.field("confirm", { api: false })}
          email={user.email}
        />
      </ApiForm>
    </section>
  );
}
