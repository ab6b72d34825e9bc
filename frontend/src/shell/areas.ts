import { lazy, type ComponentType } from "react";

/** The six services' areas of the app: where each lives, what it is for, and its page (the
 * navigation, the overview and the routes all come from this list). */
export interface Area {
  path: string;
  title: string;
  /** the owning service (x-service in the contract) */
  service: string;
  summary: string;
  /** loaded with its route: the sign-in page stays small, and a page's heavier parts
   * (charts, when they come) arrive only when it is opened */
  page: ComponentType;
}

export const AREAS: readonly Area[] = [
  {
    path: "/analytics",
    title: "Analytics",
    service: "analytics-service",
    summary: "Revenue, orders, average order value and active customers, with the change vs the previous period.",
    page: lazy(() => import("../areas/AnalyticsPage")),
  },
  {
    path: "/market-intelligence",
    title: "Market intelligence",
    service: "market-intelligence",
    summary: "Trend and seasonality strength per category.",
    page: lazy(() => import("../areas/MarketIntelligencePage")),
  },
  {
    path: "/demand-insights",
    title: "Demand insights",
    service: "demand-insights",
    summary: "RFM customer segments with their sizes and profiles.",
    page: lazy(() => import("../areas/DemandInsightsPage")),
  },
  {
    path: "/compliance",
    title: "Compliance",
    service: "compliance-guardian",
    summary: "Fraud rates by payment method, country and amount band.",
    page: lazy(() => import("../areas/CompliancePage")),
  },
  {
    path: "/copilot",
    title: "Retail copilot",
    service: "retail-copilot",
    summary: "Your conversations with the assistant over the business data.",
    page: lazy(() => import("../areas/RetailCopilotPage")),
  },
  {
    path: "/global-market",
    title: "Global market",
    service: "global-market-pulse",
    summary: "Sales trends by region, in the currency of your choice.",
    page: lazy(() => import("../areas/GlobalMarketPage")),
  },
];
