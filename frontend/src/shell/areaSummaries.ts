/** What each area is for, in a sentence (the overview's cards and each area's lead). Apart from
 * shell/areas.ts so that this text is not in the sign-in page's first load. */
export const AREA_SUMMARIES: Readonly<Record<string, string>> = {
  "/analytics":
    "KPIs with their change, sales by day, week or month, categories, top products, retention cohorts, insights and a query builder.",
  "/market-intelligence":
    "Forecasts with their prediction interval, models compared, anomalies, competitive pricing and category trends.",
  "/demand-insights":
    "Customer segments, a customer's RFM, value and churn risk, price elasticity and the best price, customers at risk, what to reorder.",
  "/compliance":
    "A fraud checker, fraud statistics, high-risk payments, investigation cases, card and personal data scanners, the audit log.",
  "/copilot":
    "Ask about the business in plain language: answers with the numbers, the table behind them and their sources.",
  "/global-market":
    "Sales by region in the currency of your choice, market share and concentration, growth, exchange rates, prices across regions and where to grow.",
};
