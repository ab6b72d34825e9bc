import type { ApiError } from "../api/errors";

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
