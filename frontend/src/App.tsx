import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { lazy, Suspense, type ComponentType, type ReactNode } from "react";
import { Route, Routes } from "react-router";
import type { Api } from "./api/client";
import { ApiProvider } from "./api/context";
import { AuthProvider } from "./auth/AuthProvider";
import { RequireAuth } from "./auth/RequireAuth";
import { SignInPage } from "./pages/SignInPage";
import { AREAS } from "./shell/areas";

// Only the sign-in page is in the first load (its budget is 100 KB of gzipped JavaScript, and
// react-dom alone is more than half of it): every other page loads with its route, the areas'
// pages too (shell/areas.ts).
const named = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) =>
  lazy(() => load().then((module) => ({ default: module[name] })));
const RegisterPage = named(() => import("./pages/RegisterPage"), "RegisterPage");
const ForgotPasswordPage = named(() => import("./pages/ForgotPasswordPage"), "ForgotPasswordPage");
const ResetPasswordPage = named(() => import("./pages/ResetPasswordPage"), "ResetPasswordPage");
const NotFoundPage = named(() => import("./pages/NotFoundPage"), "NotFoundPage");
const AppShell = named(() => import("./shell/AppShell"), "AppShell");
const HomePage = named(() => import("./shell/HomePage"), "HomePage");
const ProfilePage = lazy(() => import("./pages/ProfilePage"));

function Loading() {
  return (
    <p className="page-status" role="status">
      Loading…
    </p>
  );
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route path="/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route element={<RequireAuth />}>
          <Route element={<AppShell />}>
            <Route index element={<HomePage />} />
            <Route path="profile" element={<ProfilePage />} />
            {AREAS.map(({ path, page: Page }) => (
              <Route key={path} path={path.slice(1)} element={<Page />} />
            ))}
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}

/** Everything but the router, so tests can put the app in a MemoryRouter. */
export function AppProviders({
  api,
  queryClient,
  children,
}: {
  api: Api;
  queryClient: QueryClient;
  children: ReactNode;
}) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>{children}</AuthProvider>
      </QueryClientProvider>
    </ApiProvider>
  );
}
