import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./errors";

/** Longest wait worth retrying for: past it the user is shown when to try again instead. */
export const MAX_RETRY_AFTER_S = 30;

/** Retry only what a retry can fix: no network, 502/503/504. Never a 4xx or a 501. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!(error instanceof ApiError) || failureCount >= 2) return false;
  if ((error.retryAfter ?? 0) > MAX_RETRY_AFTER_S) return false;
  return [0, 502, 503, 504].includes(error.status);
}

/** As long as the API's Retry-After asks (a 503 while a dependency is down), else
 * TanStack Query's own exponential backoff (1 s, 2 s, 4 s... at most 30 s). */
export function retryDelay(failureCount: number, error: unknown): number {
  const retryAfter = error instanceof ApiError ? error.retryAfter : undefined;
  if (retryAfter !== undefined) return Math.min(retryAfter, MAX_RETRY_AFTER_S) * 1000;
  return Math.min(1000 * 2 ** failureCount, 30_000);
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, retryDelay, staleTime: 60_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
