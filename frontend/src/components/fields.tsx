import type { ComponentProps } from "react";
import { MAX_PASSWORD_LENGTH } from "../auth/passwordRule";
import { Field } from "./Field";
import { PasswordRule } from "./PasswordRule";
import type { BoundField } from "./useApiForm";

type Props = Omit<ComponentProps<typeof Field>, "label"> & { label?: string };

/** The inputs the account forms share, with the contract's limits. */
export function EmailField({ label = "Email", autoComplete = "email", ...props }: Props) {
  return <Field label={label} type="email" autoComplete={autoComplete} required maxLength={254} {...props} />;
}

export function NameField({ label = "Name", ...props }: Props) {
  return <Field label={label} autoComplete="name" required maxLength={100} {...props} />;
}

export function PasswordField({ label = "Password", autoComplete = "current-password", ...props }: Props) {
  return (
    <Field
      label={label}
      type="password"
      autoComplete={autoComplete}
      required
      maxLength={MAX_PASSWORD_LENGTH}
      {...props}
    />
  );
}

/** A new password with the rule as a checklist under it, then its confirmation
 * ("Confirm <label>"). `email`: the account's, which the password must not contain. */
export function NewPasswordFields({
  label = "Password",
  password,
  confirm,
  email,
}: {
  label?: string;
  password: BoundField;
  confirm: BoundField;
  email?: string;
}) {
  return (
    <>
      <PasswordField
        label={label}
        autoComplete="new-password"
        hint={<PasswordRule password={password.value} email={email} />}
        {...password}
      />
      <PasswordField label={`Confirm ${label.toLowerCase()}`} autoComplete="new-password" {...confirm} />
    </>
  );
}
