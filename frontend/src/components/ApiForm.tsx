import type { ReactNode } from "react";
import { ErrorAlert } from "./ErrorAlert";
import type { ApiFormState } from "./useApiForm";

interface Props {
  form: ApiFormState;
  submitLabel: string;
  /** the button's label while the call runs */
  pendingLabel: string;
  /** the notice once the call succeeded */
  success?: ReactNode;
  children: ReactNode;
}

/** A form's frame: its inputs, the API's error (fields with an input show under it), the
 * notice of success, and the submit button, disabled while the call runs. */
export function ApiForm({ form, submitLabel, pendingLabel, success, children }: Props) {
  const { error, isPending, isSuccess } = form.mutation;
  return (
    <form onSubmit={form.onSubmit} noValidate>
      {children}
      {error && <ErrorAlert error={error} inlineFields={form.fields} />}
      {isSuccess && success && (
        <p className="alert alert-success" role="status">
          {success}
        </p>
      )}
      <button type="submit" disabled={isPending}>
        {isPending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
