import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "./errors";

/** Retry only what a retry can fix: no network, 502/503/504. Never a 4xx or a 501. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (!(error instanceof ApiError) || failureCount >= 2) return false;
  return [0, 502, 503, 504].includes(error.status);
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 60_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
