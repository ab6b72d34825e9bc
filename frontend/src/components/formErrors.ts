import type { ApiError } from "../api/errors";
import { isStrongPassword } from "../auth/passwordRule";

export type Problems = Partial<Record<string, string>>;

/** What to show under one input: the client-side check first, then the API's details.fields
 * for that field (`apiField` when the request names it differently). */
export function errorsFor(
  field: string,
  problems: Problems,
  error: ApiError | null | undefined,
  apiField: string = field,
): string[] {
  const local = problems[field];
  return [...(local ? [local] : []), ...(error?.fieldMessages(apiField) ?? [])];
}

export function hasProblems(problems: Problems): boolean {
  return Object.values(problems).some(Boolean);
}

/** The checks of a new password (the input `field`) and of its confirmation (`confirm`). */
export function newPasswordProblems(field: string, password: string, confirm: string, email?: string): Problems {
  return {
    [field]: isStrongPassword(password, email) ? undefined : "The password does not meet every point of the rule.",
    confirm: confirm === password ? undefined : "The passwords do not match.",
  };
}
