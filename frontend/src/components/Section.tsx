import { useId, type ReactNode } from "react";
import type { ApiError } from "../api/errors";
import { ErrorAlert } from "./ErrorAlert";

interface QueryLike<T> {
  data: T | undefined;
  error: ApiError | null;
  isPending: boolean;
  isFetching?: boolean;
  refetch?: () => unknown;
}

interface Props<T> {
  title: string;
  /** the contract operation behind it, shown small under the title ("GET /analytics/kpis") */
  source?: string;
  /** a query whose states the section shows: loading, the API's error, or `children(data)` */
  query?: QueryLike<T>;
  /** controls next to the title (a granularity switch, a filter) */
  actions?: ReactNode;
  children: ((data: T) => ReactNode) | ReactNode;
  className?: string;
}

/** One titled panel of an area: a landmark named by its heading, with its data's states. */
export function Section<T>({ title, source, query, actions, children, className }: Props<T>) {
  const id = useId();
  let body: ReactNode;
  if (!query) body = typeof children === "function" ? null : children;
  else if (query.error) body = <ErrorAlert error={query.error} onRetry={query.refetch && (() => void query.refetch!())} />;
  else if (query.data === undefined)
    // The loading state holds a panel's usual height, so the page does not jump as answers land.
    body = query.isPending ? (
      <p className="page-status section-loading" role="status">
        Loading…
      </p>
    ) : null;
  else body = typeof children === "function" ? children(query.data) : children;
  return (
    <section className={`panel panel-wide${className ? ` ${className}` : ""}`} aria-labelledby={id}>
      <div className="panel-head">
        <div>
          <h2 id={id}>{title}</h2>
          {source && (
            <p className="area-source">
              <code>{source}</code>
            </p>
          )}
        </div>
        {actions && <div className="panel-actions">{actions}</div>}
      </div>
      {body}
    </section>
  );
}

/** Hold `children` back until a form's answer exists; show its error otherwise. */
export function Answer<T>({
  data,
  error,
  inlineFields,
  children,
}: {
  data: T | undefined;
  error: ApiError | null;
  inlineFields?: readonly string[];
  children: (data: T) => ReactNode;
}) {
  if (error) return <ErrorAlert error={error} inlineFields={inlineFields} />;
  return data === undefined ? null : <>{children(data)}</>;
}
