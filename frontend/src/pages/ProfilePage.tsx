import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { unwrap, type UserProfile } from "../api/client";
import { useApi } from "../api/context";
import { asApiError, type ApiError } from "../api/errors";
import { ME_KEY, useCurrentUser } from "../auth/AuthProvider";
import { isStrongPassword, MAX_PASSWORD_LENGTH } from "../auth/passwordRule";
import { ErrorAlert } from "../components/ErrorAlert";
import { Field } from "../components/Field";
import { formatDateTime } from "../components/format";
import { errorsFor, hasProblems, type Problems } from "../components/formErrors";
import { PageHeading } from "../components/PageHeading";
import { PasswordRule } from "../components/PasswordRule";

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
  const [name, setName] = useState(user.name);
  const [problems, setProblems] = useState<Problems>({});
  const save = useMutation<UserProfile, ApiError>({
    mutationFn: () =>
      unwrap(api.client.PATCH("/auth/me", { body: { name: name.trim() } })).catch((e: unknown) =>
        Promise.reject(asApiError(e)),
      ),
    onSuccess: (profile) => queryClient.setQueryData(ME_KEY, profile),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems = { name: name.trim() ? undefined : "Enter a name." };
    setProblems(found);
    if (!hasProblems(found)) save.mutate();
  };

  return (
    <section aria-labelledby="name-heading" className="panel">
      <h2 id="name-heading">Name</h2>
      <form onSubmit={onSubmit} noValidate>
        <Field
          label="Display name"
          name="name"
          autoComplete="name"
          required
          maxLength={100}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            save.reset();
          }}
          errors={errorsFor("name", problems, save.error)}
        />
        {save.error && <ErrorAlert error={save.error} inlineFields={["name"]} />}
        {save.isSuccess && (
          <p className="alert alert-success" role="status">
            Your name was saved.
          </p>
        )}
        <button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save name"}
        </button>
      </form>
    </section>
  );
}

function ChangePasswordForm({ user }: { user: UserProfile }) {
  const api = useApi();
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const change = useMutation<boolean, ApiError>({
    mutationFn: async () => {
      await unwrap(
        api.client.POST("/auth/change-password", { body: { currentPassword: current, newPassword: password } }),
      ).catch((e: unknown) => Promise.reject(asApiError(e)));
      // The change revokes every refresh token, this tab's too: sign in again with the new
      // password so this session goes on past its access token.
      return api.signIn(user.email, password).then(
        () => true,
        () => false,
      );
    },
    onSuccess: () => {
      setCurrent("");
      setPassword("");
      setConfirm("");
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found: Problems = {
      currentPassword: current ? undefined : "Enter your current password.",
      newPassword: !isStrongPassword(password, user.email)
        ? "The password does not meet every point of the rule."
        : password === current
          ? "The new password must differ from the current one."
          : undefined,
      confirm: confirm === password ? undefined : "The passwords do not match.",
    };
    setProblems(found);
    if (!hasProblems(found)) change.mutate();
  };
  const error = change.error;

  return (
    <section aria-labelledby="password-heading" className="panel">
      <h2 id="password-heading">Change password</h2>
      <form onSubmit={onSubmit} noValidate>
        {/* lets password managers pair the new password with the account */}
        <input type="hidden" name="username" autoComplete="username" value={user.email} />
        <Field
          label="Current password"
          type="password"
          name="currentPassword"
          autoComplete="current-password"
          required
          maxLength={MAX_PASSWORD_LENGTH}
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          errors={errorsFor("currentPassword", problems, error)}
        />
        <Field
          label="New password"
          type="password"
          name="newPassword"
          autoComplete="new-password"
          required
          maxLength={MAX_PASSWORD_LENGTH}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={<PasswordRule password={password} email={user.email} />}
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
        {error && <ErrorAlert error={error} inlineFields={["currentPassword", "newPassword"]} />}
        {change.isSuccess && (
          <p className="alert alert-success" role="status">
            {change.data
              ? "Your password was changed. Other sessions end when their current access expires (15 minutes at most by default)."
              : "Your password was changed. Sign in again with the new password when asked."}
          </p>
        )}
        <button type="submit" disabled={change.isPending}>
          {change.isPending ? "Changing…" : "Change password"}
        </button>
      </form>
    </section>
  );
}
