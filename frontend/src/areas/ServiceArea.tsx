import { useQuery } from "@tanstack/react-query";
import type { ClientPathsWithMethod, MethodResponse } from "openapi-fetch";
import type { ReactNode } from "react";
import { unwrap, type ApiClient } from "../api/client";
import { useApi } from "../api/context";
import type { ApiError } from "../api/errors";
import type { paths } from "../api/schema";
import { ErrorAlert } from "../components/ErrorAlert";
import { PageHeading } from "../components/PageHeading";
import { AREAS } from "../shell/areas";

type GetPath = ClientPathsWithMethod<ApiClient, "get">;
type QueryOf<P extends GetPath> = paths[P]["get"] extends { parameters: { query?: infer Q } } ? Q : never;

interface Props<P extends GetPath> {
  /** the area's path in shell/areas.ts (title and summary come from there) */
  area: string;
  /** the contract operation the page shows: GET `get` with `query` */
  get: P;
  query?: QueryOf<P>;
  /** the operation's answer, rendered */
  children: (data: MethodResponse<ApiClient, "get", P>) => ReactNode;
}

/** A service's page: one GET operation of the contract, its answer rendered by `children`, or
 * the API's error as it is (501 NOT_IMPLEMENTED reads "Not available yet"). Nothing is shown
 * that the API did not answer. */
export function ServiceArea<P extends GetPath>({ area, get, query, children }: Props<P>) {
  const api = useApi();
  const { title, summary } = AREAS.find((a) => a.path === area) ?? { title: area, summary: "" };
  const result = useQuery<MethodResponse<ApiClient, "get", P>, ApiError>({
    queryKey: ["area", get, query ?? {}],
    // One cast: openapi-fetch cannot tie a generic path to its own init type.
    queryFn: () => unwrap((api.client.GET as GenericGet)(get, query ? { params: { query } } : undefined)),
  });
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <p className="area-summary">{summary}</p>
      <p className="area-source">
        Source: <code>GET {get}</code>
      </p>
      {result.isPending && (
        <p className="page-status" role="status">
          Loading…
        </p>
      )}
      {result.error && <ErrorAlert error={result.error} onRetry={() => void result.refetch()} />}
      {result.data !== undefined && <section aria-label={`${title} data`}>{children(result.data)}</section>}
    </>
  );
}

type GenericGet = <T>(
  path: string,
  init?: { params: { query: unknown } },
) => Promise<{ data?: T; error?: unknown; response: Response }>;
