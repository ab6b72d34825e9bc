/** The six services' areas of the app: where each lives and what it is for. */
export interface Area {
  path: string;
  title: string;
  /** the owning service (x-service in the contract) */
  service: string;
  summary: string;
}

export const AREAS: readonly Area[] = [
  {
    path: "/analytics",
    title: "Analytics",
    service: "analytics-service",
    summary: "Revenue, orders, average order value and active customers, with the change vs the previous period.",
  },
  {
    path: "/market-intelligence",
    title: "Market intelligence",
    service: "market-intelligence",
    summary: "Trend and seasonality strength per category.",
  },
  {
    path: "/demand-insights",
    title: "Demand insights",
    service: "demand-insights",
    summary: "RFM customer segments with their sizes and profiles.",
  },
  {
    path: "/compliance",
    title: "Compliance",
    service: "compliance-guardian",
    summary: "Fraud rates by payment method, country and amount band.",
  },
  {
    path: "/copilot",
    title: "Retail copilot",
    service: "retail-copilot",
    summary: "Your conversations with the assistant over the business data.",
  },
  {
    path: "/global-market",
    title: "Global market",
    service: "global-market-pulse",
    summary: "Sales trends by region, in the currency of your choice.",
  },
];
