import { useMutation } from "@tanstack/react-query";
import { useState, type ChangeEvent, type FormEvent } from "react";
import { asApiError, type ApiError } from "../api/errors";
import { errorsFor, hasProblems, type Problems } from "./formErrors";

type Values = Record<string, string>;

interface Options<V extends Values, T> {
  /** every input of the form by its name (the name the request gives it, too) */
  initial: V;
  /** the client-side checks: a message per failing field; the call waits until there is none */
  check: (values: V) => Problems;
  /** the call; whatever it throws becomes the ApiError the form shows */
  submit: (values: V) => Promise<T>;
  onSuccess?: (data: T) => void;
  /** forget the last answer (its notice or error) as soon as the user edits */
  resetOnEdit?: boolean;
  /** empty the inputs once the call succeeded */
  clearOnSuccess?: boolean;
}

/** A form over one API call: its inputs' values, the client-side checks on submit, the call
 * as a mutation, and each input's messages (the check's, then the API's details.fields). */
export function useApiForm<V extends Values, T = unknown>({
  initial,
  check,
  submit,
  onSuccess,
  resetOnEdit = false,
  clearOnSuccess = false,
}: Options<V, T>) {
  const [values, setValues] = useState(initial);
  const [problems, setProblems] = useState<Problems>({});
  const mutation = useMutation<T, ApiError, V>({
    mutationFn: (sent) => submit(sent).catch((e: unknown) => Promise.reject(asApiError(e))),
    onSuccess: (data) => {
      if (clearOnSuccess) setValues(initial);
      onSuccess?.(data);
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = check(values);
    setProblems(found);
    if (!hasProblems(found)) mutation.mutate(values);
  };

  /** The props of the input `name`; `api: false` for an input the request does not carry
   * (a confirmation), whose messages are only the check's. */
  const field = (name: keyof V & string, { api = true }: { api?: boolean } = {}): BoundField => ({
    name,
    value: values[name] ?? "",
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => {
      const value = event.target.value;
      setValues((current) => ({ ...current, [name]: value }));
      if (resetOnEdit) mutation.reset();
    },
    errors: errorsFor(name, problems, api ? mutation.error : null),
  });

  return { values, mutation, onSubmit, field, fields: Object.keys(initial) };
}

/** What <ApiForm> needs of a form. */
export interface ApiFormState {
  onSubmit: (event: FormEvent) => void;
  /** the inputs' names: the API's messages for them show under the inputs, not in the alert */
  fields: readonly string[];
  mutation: { error: ApiError | null; isPending: boolean; isSuccess: boolean };
}

/** One input's props from `field()`. */
export interface BoundField {
  name: string;
  value: string;
  onChange: (event: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) => void;
  errors: string[];
}
