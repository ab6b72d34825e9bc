import { useId, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";

interface Described {
  label: string;
  errors?: readonly string[];
  hint?: ReactNode;
}

function describedBy(id: string, hint: ReactNode, errors: readonly string[]) {
  return [hint ? `${id}-hint` : "", errors.length ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
}

function Messages({ id, hint, errors }: { id: string; hint: ReactNode; errors: readonly string[] }) {
  return (
    <>
      {hint && (
        <div id={`${id}-hint`} className="field-hint">
          {hint}
        </div>
      )}
      <div id={`${id}-error`} className="field-error" aria-live="polite">
        {errors.map((m) => (
          <p key={m}>{m}</p>
        ))}
      </div>
    </>
  );
}

/** A labelled select whose hint and errors are tied to it, like Field. */
export function SelectField({
  label,
  errors = [],
  hint,
  options,
  ...select
}: Described &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> & {
    options: readonly (string | { value: string; label: string })[];
  }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={errors.length > 0 || undefined} aria-describedby={describedBy(id, hint, errors)} {...select}>
        {options.map((o) => {
          const { value, label: text } = typeof o === "string" ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
      <Messages id={id} hint={hint} errors={errors} />
    </div>
  );
}

/** A labelled textarea whose hint and errors are tied to it, like Field. */
export function TextAreaField({
  label,
  errors = [],
  hint,
  ...area
}: Described & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id">) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={errors.length > 0 || undefined} aria-describedby={describedBy(id, hint, errors)} {...area} />
      <Messages id={id} hint={hint} errors={errors} />
    </div>
  );
}

/** A row of option buttons where one is chosen (a granularity switch): a labelled group whose
 * buttons say which one is pressed. */
export function Toggle<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="toggle" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={o.value === value}
          className={o.value === value ? "toggle-on" : "button-secondary"}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

/** Client-side checks shared by the areas' forms (the API checks again; its messages show under
 * the same inputs). Each returns a message or undefined. */
export const checks = {
  required: (value: string, what = "This field") => (value.trim() ? undefined : `${what} is required.`),
  id: (value: string, what = "The id") =>
    !value.trim()
      ? `${what} is required.`
      : /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(value.trim())
        ? undefined
        : `${what} may hold letters, digits and . _ : - only.`,
  number: (value: string, { min, max, what = "The value", optional = false }: { min?: number; max?: number; what?: string; optional?: boolean }) => {
    if (!value.trim()) return optional ? undefined : `${what} is required.`;
    const n = Number(value);
    if (!Number.isFinite(n)) return `${what} must be a number.`;
    if (min !== undefined && n < min) return `${what} must be at least ${min}.`;
    if (max !== undefined && n > max) return `${what} must be at most ${max}.`;
    return undefined;
  },
  country: (value: string, optional = true) =>
    !value.trim() ? (optional ? undefined : "The country is required.") : /^[A-Z]{2}$/.test(value.trim()) ? undefined : "Use a two-letter country code (DE).",
  currency: (value: string) => (/^[A-Z]{3}$/.test(value.trim()) ? undefined : "Use a three-letter currency code (EUR)."),
};

/** "a, b ,c" -> ["a", "b", "c"] */
export function splitList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
