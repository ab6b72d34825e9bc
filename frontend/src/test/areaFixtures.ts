/** Answers of the contract's shape for the areas' tests (small, hand-made, each figure chosen so
 * a test can tell it was rendered and formatted). */
import { json, USER } from "./fakeApi";

export const SIGNED_IN = { "GET /auth/me": () => json(200, USER) };
export const ADMIN = { "GET /auth/me": () => json(200, { ...USER, role: "admin" }) };
export const PERIOD = { from: "2026-06-01", to: "2026-06-30" };

export const KPIS = {
  period: PERIOD,
  previousPeriod: { from: "2026-05-02", to: "2026-05-31" },
  currency: "USD",
  revenue: { value: 123456.789, previous: 100000, change: 23456.789, changePct: 23.456789 },
  orders: { value: 1520, previous: 1600, change: -80, changePct: -5 },
  averageOrderValue: { value: 81.22, previous: 62.5, change: 18.72, changePct: 29.95 },
  activeCustomers: { value: 990, previous: 0, change: 990 },
};

export function salesSeries(granularity: string) {
  const dates = granularity === "month" ? ["2026-04-01", "2026-05-01", "2026-06-01"] : ["2026-06-28", "2026-06-29", "2026-06-30"];
  return {
    period: PERIOD,
    granularity,
    currency: "USD",
    points: dates.map((date, i) => ({ date, revenue: 1000 * (i + 1), orders: 10 * (i + 1) })),
  };
}
