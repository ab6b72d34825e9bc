import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { MemoryRouter, useLocation } from "react-router";
import { createApi } from "../api/client";
import { Session } from "../api/session";
import { AppProviders, AppRoutes } from "../App";
import { BASE_URL } from "./fakeApi";

/** Where the router is, for assertions on navigation. */
function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname + location.hash}</div>;
}

/** The whole app at `path`, over `fetch`, signed in when `tokens` are given. */
export function renderApp({
  path,
  fetch,
  tokens,
}: {
  path: string;
  fetch: (request: Request) => Promise<Response>;
  tokens?: { accessToken: string; refreshToken: string };
}) {
  const session = new Session(sessionStorage);
  if (tokens) session.start(tokens);
  const api = createApi({ baseUrl: BASE_URL, fetch, session });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const view = render(
    <MemoryRouter initialEntries={[path]}>
      <AppProviders api={api} queryClient={queryClient}>
        <AppRoutes />
        <LocationProbe />
      </AppProviders>
    </MemoryRouter>,
  );
  return { ...view, api, session, queryClient };
}
