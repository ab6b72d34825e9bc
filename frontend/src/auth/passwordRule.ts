/**
 * The strong-password rule of the auth service (lambdas/auth_service/passwords.py), checked
 * as the user types: at least 12 characters with an upper-case letter, a lower-case letter, a
 * digit and a symbol, not containing the email's local part. The service also refuses
 * well-known passwords; that list stays on the server, which answers WEAK_PASSWORD with the
 * reasons in details.fields.
 */

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export interface PasswordCheck {
  id: "length" | "upper" | "lower" | "digit" | "symbol" | "email";
  label: string;
  met: boolean;
}

export function passwordChecks(password: string, email = ""): PasswordCheck[] {
  const length = [...password].length; // code points, as the service counts
  const checks: PasswordCheck[] = [
    // The inputs stop at MAX_PASSWORD_LENGTH (maxLength), so only the minimum is shown.
    { id: "length", label: `At least ${MIN_PASSWORD_LENGTH} characters`, met: length >= MIN_PASSWORD_LENGTH },
    { id: "upper", label: "An upper-case letter", met: /\p{Lu}/u.test(password) },
    { id: "lower", label: "A lower-case letter", met: /\p{Ll}/u.test(password) },
    { id: "digit", label: "A digit", met: /\p{Nd}/u.test(password) },
    { id: "symbol", label: "A symbol (not a letter or digit)", met: /[^\p{L}\p{N}]/u.test(password) },
  ];
  const local = (email.split("@", 1)[0] ?? "").trim().toLowerCase();
  if (local.length >= 3) {
    checks.push({
      id: "email",
      label: "Does not contain the name part of your email",
      met: !password.toLowerCase().includes(local),
    });
  }
  return checks;
}

export function isStrongPassword(password: string, email = ""): boolean {
  return passwordChecks(password, email).every((check) => check.met);
}
