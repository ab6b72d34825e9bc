/**
 * Typed data hooks over the one client: `useApiGet(path, params)` (a TanStack query keyed by the
 * operation and its parameters) and `useApiPost(path)` (a mutation). Both turn any failure into
 * the ApiError the pages show. The casts are openapi-fetch's: it cannot tie a generic path to
 * its own init type, so the types are checked here, at the call sites, from the contract.
 */
import { useMutation, useQuery, type UseQueryResult } from "@tanstack/react-query";
import type { ClientPathsWithMethod, MethodResponse } from "openapi-fetch";
import { unwrap, type ApiClient } from "./client";
import { useApi } from "./context";
import { asApiError, type ApiError } from "./errors";
import type { paths } from "./schema";

export type GetPath = ClientPathsWithMethod<ApiClient, "get">;
export type PostPath = ClientPathsWithMethod<ApiClient, "post">;

type Params<Op> = Op extends { parameters: infer P } ? P : never;
/** what a GET operation takes: its query and path parameters, as the contract names them */
export type GetParams<P extends GetPath> = {
  query?: Params<paths[P]["get"]> extends { query?: infer Q } ? Q : never;
  path?: Params<paths[P]["get"]> extends { path?: infer Q } ? Q : never;
};
export type GetResult<P extends GetPath> = MethodResponse<ApiClient, "get", P>;
export type PostBody<P extends PostPath> = paths[P]["post"] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
export type PostResult<P extends PostPath> = MethodResponse<ApiClient, "post", P>;

type Generic = <T>(
  path: string,
  init?: { params?: unknown; body?: unknown },
) => Promise<{ data?: T; error?: unknown; response: Response }>;

/** GET `path` with `params`; `enabled: false` waits (e.g. until the user picked an id). */
export function useApiGet<P extends GetPath>(
  path: P,
  params: GetParams<P> = {},
  { enabled = true }: { enabled?: boolean } = {},
): UseQueryResult<GetResult<P>, ApiError> {
  const api = useApi();
  return useQuery<GetResult<P>, ApiError>({
    queryKey: ["get", path, params],
    queryFn: () =>
      unwrap((api.client.GET as Generic)<GetResult<P>>(path, { params })).catch((e: unknown) =>
        Promise.reject(asApiError(e)),
      ),
    enabled,
  });
}

/** POST `path` as a mutation: `mutate(body)`; `data` is the answer, `error` an ApiError. */
export function useApiPost<P extends PostPath>(path: P) {
  const api = useApi();
  return useMutation<PostResult<P>, ApiError, PostBody<P>>({
    mutationFn: (body) =>
      unwrap((api.client.POST as Generic)<PostResult<P>>(path, { body })).catch((e: unknown) =>
        Promise.reject(asApiError(e)),
      ),
  });
}

/** The api itself, for the rare call that is neither (PATCH, DELETE) */
export { useApi };
