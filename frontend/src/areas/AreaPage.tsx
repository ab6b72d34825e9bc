import { useQuery, type QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { unwrap } from "../api/client";
import { useApi } from "../api/context";
import type { ApiError } from "../api/errors";
import { ErrorAlert } from "../components/ErrorAlert";
import { PageHeading } from "../components/PageHeading";
import { AREAS } from "../shell/areas";

type Result<T> = { data?: T; error?: unknown; response: Response };

interface Props<T> {
  /** the area's path in shell/areas.ts (title and summary come from there) */
  area: string;
  /** the contract operation, as shown to the user, e.g. "GET /analytics/kpis" */
  operation: string;
  queryKey: QueryKey;
  call: (client: ReturnType<typeof useApi>["client"]) => Promise<Result<T>>;
  children: (data: T) => ReactNode;
}

/** A service's page: one operation of the contract, its answer rendered by `children`, or
 * the API's error as it is (501 NOT_IMPLEMENTED reads "Not available yet"). Nothing is shown
 * that the API did not answer. */
export function AreaPage<T>({ area, operation, queryKey, call, children }: Props<T>) {
  const api = useApi();
  const { title, summary } = AREAS.find((a) => a.path === area) ?? { title: area, summary: "" };
  const query = useQuery<T, ApiError>({ queryKey, queryFn: () => unwrap(call(api.client)) });
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p className="area-summary">{summary}</p>
      <p className="area-source">
        Source: <code>{operation}</code>
      </p>
      {query.isPending && (
        <p className="page-status" role="status">
          Loading…
        </p>
      )}
      {query.error && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {query.data !== undefined && <section aria-label={`${title} data`}>{children(query.data)}</section>}
    </>
  );
}
