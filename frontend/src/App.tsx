import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { lazy, type ReactNode } from "react";
import { Route, Routes } from "react-router";
import type { Api } from "./api/client";
import { ApiProvider } from "./api/context";
import { AuthProvider } from "./auth/AuthProvider";
import { RequireAuth } from "./auth/RequireAuth";
import { ForgotPasswordPage } from "./pages/ForgotPasswordPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { RegisterPage } from "./pages/RegisterPage";
import { ResetPasswordPage } from "./pages/ResetPasswordPage";
import { SignInPage } from "./pages/SignInPage";
import { AppShell } from "./shell/AppShell";
import { HomePage } from "./shell/HomePage";

// The signed-in pages load with their route: the sign-in page stays small, and a page's
// heavier parts (charts, when they come) arrive only when it is opened.
const ProfilePage = lazy(() => import("./pages/ProfilePage"));
const AnalyticsPage = lazy(() => import("./areas/AnalyticsPage"));
const MarketIntelligencePage = lazy(() => import("./areas/MarketIntelligencePage"));
const DemandInsightsPage = lazy(() => import("./areas/DemandInsightsPage"));
const CompliancePage = lazy(() => import("./areas/CompliancePage"));
const RetailCopilotPage = lazy(() => import("./areas/RetailCopilotPage"));
const GlobalMarketPage = lazy(() => import("./areas/GlobalMarketPage"));

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route path="/forgot-password" element={<ForgotPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route element={<RequireAuth />}>
        <Route element={<AppShell />}>
          <Route index element={<HomePage />} />
          <Route path="profile" element={<ProfilePage />} />
          <Route path="analytics" element={<AnalyticsPage />} />
          <Route path="market-intelligence" element={<MarketIntelligencePage />} />
          <Route path="demand-insights" element={<DemandInsightsPage />} />
          <Route path="compliance" element={<CompliancePage />} />
          <Route path="copilot" element={<RetailCopilotPage />} />
          <Route path="global-market" element={<GlobalMarketPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
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
