import { lazy, type ComponentType } from "react";

/** The six services' areas of the app: where each lives, its service and its page (the
 * navigation, the overview and the routes all come from this list; what each is for is in
 * areaSummaries.ts, which only the signed-in pages load). */
export interface Area {
  path: string;
  title: string;
  /** the owning service (x-service in the contract) */
  service: string;
  /** loaded with its route: the sign-in page stays small, and a page's heavier parts (the
   * chart module and d3) arrive only when an area that draws charts is opened */
  page: ComponentType;
}

export const AREAS: readonly Area[] = [
  {
    path: "/analytics",
    title: "Analytics",
    service: "analytics-service",
    page: lazy(() => import("../areas/AnalyticsPage")),
  },
  {
    path: "/market-intelligence",
    title: "Market intelligence",
    service: "market-intelligence",
    page: lazy(() => import("../areas/MarketIntelligencePage")),
  },
  {
    path: "/demand-insights",
    title: "Demand insights",
    service: "demand-insights",
    page: lazy(() => import("../areas/DemandInsightsPage")),
  },
  {
    path: "/compliance",
    title: "Compliance",
    service: "compliance-guardian",
    page: lazy(() => import("../areas/CompliancePage")),
  },
  {
    path: "/copilot",
    title: "Retail copilot",
    service: "retail-copilot",
    page: lazy(() => import("../areas/RetailCopilotPage")),
  },
  {
    path: "/global-market",
    title: "Global market",
    service: "global-market-pulse",
    page: lazy(() => import("../areas/GlobalMarketPage")),
  },
];
