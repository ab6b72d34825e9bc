import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, fakeApi, json, tokenPair } from "../test/fakeApi";
import { KPIS, PERIOD, salesSeries, SIGNED_IN } from "../test/areaFixtures";
import { renderApp } from "../test/renderApp";

const ANSWERS = {
  ...SIGNED_IN,
  "GET /analytics/kpis": () => json(200, KPIS),
  "GET /analytics/sales-timeseries": (call: { query: URLSearchParams }) => json(200, salesSeries(call.query.get("granularity") ?? "day")),
  "GET /analytics/top-products": () =>
    json(200, {
      items: [
        { rank: 1, productId: "P00001", name: "Garden hose", category: "Garden", revenue: 5000, units: 100, revenueSharePct: 4.2 },
        { rank: 2, productId: "P00002", name: "Atlas", category: "Books", revenue: 3000, units: 300 },
      ],
      count: 2,
      currency: "USD",
    }),
  "GET /analytics/category-performance": () =>
    json(200, {
      period: PERIOD,
      currency: "USD",
      categories: [
        { categoryId: "CAT01", name: "Books", revenue: 3000, grossMargin: 900, marginPct: 30, growthPct: -2 },
        { categoryId: "CAT02", name: "Garden", revenue: 5000, grossMargin: 2000, marginPct: 40, growthPct: 12.5 },
      ],
    }),
  "GET /analytics/cohorts": () =>
    json(200, {
      period: PERIOD,
      months: 3,
      cohorts: [
        { cohort: "2026-04", size: 100, retention: [1, 0.3, 0.2] },
        { cohort: "2026-05", size: 80, retention: [1, 0.25] },
      ],
    }),
  "GET /analytics/insights": () =>
    json(200, {
      items: [
        { insightId: "i1", type: "drop", severity: "critical", title: "Orders fell 88% on Mar 11", metric: "orders", date: "2025-03-11", value: 17, expected: 140, changePct: -88 },
      ],
      count: 1,
    }),
  "GET /analytics/datasets": () =>
    json(200, {
      engine: "duckdb",
      datasets: [
        {
          name: "orders",
          zone: "curated",
          rowCount: 100132,
          lastUpdated: "2026-07-01T00:00:00Z",
          columns: [
            { name: "order_date", type: "date" },
            { name: "region", type: "string" },
            { name: "total", type: "double" },
          ],
        },
      ],
    }),
};

describe("Analytics", () => {
  it("shows the KPIs, the sales chart, categories, cohorts and insights", async () => {
    const server = fakeApi(ANSWERS);
    renderApp({ path: "/analytics", fetch: server.fetch, tokens: tokenPair(1) });

    const kpis = await screen.findByRole("region", { name: "Key figures" });
    const card = (label: string) => within(kpis).getByText(label).closest(".kpi")!.textContent;
    expect(await within(kpis).findByText("Revenue")).toBeTruthy();
    expect(card("Revenue")).toBe("Revenue$123,456.79+23.5% vs $100,000.00");
    expect(card("Orders")).toBe("Orders1,520-5% vs 1,600");
    expect(card("Active customers")).toBe("Active customers990n/a vs 0");

    const sales = screen.getByRole("region", { name: "Sales" });
    const chart = await within(sales).findByRole("img", { name: /Revenue by day/ });
    expect(chart.querySelector("path.chart-series")!.getAttribute("data-points")).toBe("3");
    expect(sales.textContent).toContain("$6,000.00 from 60 orders");
    fireEvent.click(within(sales).getByRole("button", { name: "Month" }));
    expect(await within(sales).findByRole("img", { name: /Revenue by month/ })).toBeTruthy();
    expect(server.callsTo("GET", "/analytics/sales-timeseries").map((c) => c.query.toString())).toEqual([
      "granularity=day",
      "granularity=month&from=2024-07-01&to=2026-06-30", // two years of months back from the data's last day
    ]);

    const categories = screen.getByRole("region", { name: "Categories" });
    const bars = await within(categories).findByRole("img", { name: /Revenue by category/ });
    expect(bars.querySelectorAll("rect")).toHaveLength(2);
    const table = within(categories).getByRole("table");
    const firstRow = within(table).getAllByRole("row")[1]!;
    expect(firstRow.textContent).toBe("Garden$5,000.00$2,000.0040%+12.5%—");

    const cohorts = screen.getByRole("region", { name: "Retention cohorts" });
    const heat = await within(cohorts).findByRole("img", { name: "Retention of 2 monthly cohorts over 3 months" });
    expect(heat.querySelectorAll("rect.heat-cell")).toHaveLength(5); // the 2026-05 cohort has no month 2 yet

    const insights = screen.getByRole("region", { name: "Insights" });
    expect((await within(insights).findByText(/Orders fell 88%/)).textContent).toContain("Orders fell 88% on Mar 11");
    expect(insights.textContent).toContain("17 vs 140 expected (-88%)");
  });

  it("sorts and pages the top products", async () => {
    renderApp({ path: "/analytics", fetch: fakeApi(ANSWERS).fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Top products" });
    const table = await within(region).findByRole("table");
    const names = () => within(table).getAllByRole("row").slice(1).map((r) => r.querySelectorAll("td")[0]!.textContent);
    expect(names()).toEqual(["Garden hose", "Atlas"]);
    fireEvent.click(within(table).getByRole("button", { name: "Units" }));
    expect(within(table).getByRole("columnheader", { name: "Units" }).getAttribute("aria-sort")).toBe("descending");
    expect(names()).toEqual(["Atlas", "Garden hose"]);
    fireEvent.click(within(table).getByRole("button", { name: "Units" }));
    expect(names()).toEqual(["Garden hose", "Atlas"]);
  });

  it("runs a structured query, checks it first, and draws its result", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /analytics/query": [
        () => apiError(400, "VALIDATION_ERROR", "Unknown field", { fields: [{ field: "dimensions", message: "unknown column: nope" }] }),
        () =>
          json(200, {
            dataset: "orders",
            columns: [
              { name: "region", type: "string" },
              { name: "sum_total", type: "number" },
            ],
            rows: [
              ["Western Europe", 1234.5],
              ["North America", 999],
            ],
            rowCount: 2,
            truncated: false,
            engine: "duckdb",
          }),
      ],
    });
    renderApp({ path: "/analytics", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Query builder" });
    const select = (label: string, value: string) =>
      fireEvent.change(within(region).getByLabelText(label), { target: { value } });
    await within(region).findByLabelText("Dataset");
    select("Aggregate", "sum");
    fireEvent.change(within(region).getByLabelText("Row limit"), { target: { value: "0" } });
    fireEvent.click(within(region).getByRole("button", { name: "Run query" }));
    expect(await within(region).findByText("Choose the column to aggregate.")).toBeTruthy();
    expect(within(region).getByText("The row limit must be at least 1.")).toBeTruthy();
    expect(server.callsTo("POST", "/analytics/query")).toHaveLength(0);

    select("Of column", "total");
    select("By", "region");
    fireEvent.change(within(region).getByLabelText("Row limit"), { target: { value: "10" } });
    fireEvent.click(within(region).getByRole("button", { name: "Run query" }));
    expect(await within(region).findByText("unknown column: nope")).toBeTruthy(); // the API's words, under "By"
    fireEvent.click(within(region).getByRole("button", { name: "Run query" }));
    const bars = await within(region).findByRole("img", { name: "sum_total by region" });
    expect(bars.querySelectorAll("rect")).toHaveLength(2);
    expect(within(region).getByRole("table", { name: "Result from orders" }).textContent).toContain("Western Europe1,234.5");
    expect(server.callsTo("POST", "/analytics/query")[1]!.body).toEqual({
      dataset: "orders",
      metrics: [{ field: "total", agg: "sum", alias: "sum_total" }],
      dimensions: ["region"],
      filters: [],
      orderBy: [{ field: "sum_total", direction: "desc" }],
      limit: 10,
    });
  });

  it("shows each section's error in words", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "GET /analytics/kpis": () => apiError(501, "NOT_IMPLEMENTED", "analytics-service does not implement GET /analytics/kpis yet"),
    });
    renderApp({ path: "/analytics", fetch: server.fetch, tokens: tokenPair(1) });
    const kpis = await screen.findByRole("region", { name: "Key figures" });
    const alert = await within(kpis).findByRole("alert");
    expect(alert.textContent).toContain("Not available yet");
    expect(alert.textContent).toContain("analytics-service does not implement GET /analytics/kpis yet");
    expect(await within(screen.getByRole("region", { name: "Sales" })).findByRole("img")).toBeTruthy();
  });
});
