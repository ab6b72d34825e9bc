import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PERIOD, SIGNED_IN } from "../test/areaFixtures";
import { apiError, fakeApi, json, tokenPair, type Call } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const point = (date: string, revenue: number) => ({ date, revenue, orders: 1 });
const ANSWERS = {
  ...SIGNED_IN,
  "GET /global-market/currencies": (call: Call) =>
    json(200, {
      base: call.query.get("base") ?? "USD",
      asOf: "2026-06-30",
      rates: [
        { currency: "EUR", rate: 0.9, rateToUsd: 1.11 },
        { currency: "GBP", rate: 0.8, rateToUsd: 1.25 },
      ],
    }),
  "GET /global-market/trends": (call: Call) =>
    json(200, {
      period: PERIOD,
      granularity: call.query.get("granularity"),
      currency: call.query.get("currency"),
      regions: [
        { region: "Western Europe", revenue: 5000.5, orders: 42, growthPct: 12.25, points: [point("2026-05-01", 2000), point("2026-06-01", 3000.5)] },
        { region: "South Asia", revenue: 900, orders: 9, points: [point("2026-05-01", 400), point("2026-06-01", 500)] },
      ],
    }),
  "GET /global-market/market-share": () =>
    json(200, {
      period: PERIOD,
      currency: "USD",
      totalRevenue: 5900.5,
      byRegion: [
        { key: "Western Europe", revenue: 5000.5, orders: 42, revenueSharePct: 84.7 },
        { key: "South Asia", revenue: 900, orders: 9, revenueSharePct: 15.3 },
      ],
      byCategory: [{ key: "CAT01", label: "Books", revenue: 5900.5, orders: 51, revenueSharePct: 100 }],
      concentration: { regionHhi: 7408.2, categoryHhi: 10000, level: "high" },
    }),
  "GET /global-market/growth-rates": () =>
    json(200, {
      period: PERIOD,
      interval: "quarter",
      currency: "USD",
      regions: [
        { region: "UK & Ireland", startRevenue: 100, endRevenue: 112, cagrPct: 12, points: [] },
        { region: "South Asia", startRevenue: 100, endRevenue: 160, cagrPct: 60, periodOverPeriodPct: 4.5, points: [] },
      ],
    }),
};

describe("Global market", () => {
  it("draws the regions' trends, market share with HHI, the growth ranking and the rates", async () => {
    const server = fakeApi(ANSWERS);
    renderApp({ path: "/global-market", fetch: server.fetch, tokens: tokenPair(1) });

    const trends = await screen.findByRole("region", { name: "Sales by region" });
    const chart = await within(trends).findByRole("img", { name: /Revenue by month for the 2 largest regions/ });
    expect(chart.querySelectorAll("path.chart-series")).toHaveLength(2);
    // two years of months back from the data's last day (which the service's default answer gave)
    expect(server.callsTo("GET", "/global-market/trends").map((c) => c.query.toString())).toEqual([
      "granularity=month&currency=USD",
      "granularity=month&currency=USD&from=2024-07-01&to=2026-06-30",
    ]);
    const row = within(trends).getByRole("rowheader", { name: "Western Europe" }).closest("tr")!;
    expect(within(row).getAllByRole("cell").map((c) => c.textContent)).toEqual(["$5,000.50", "42", "+12.3%", "—"]);

    const share = screen.getByRole("region", { name: "Market share" });
    expect((await within(share).findByText("HHI across regions")).nextElementSibling!.textContent).toBe("7,408");
    expect(within(share).getByText("highly concentrated")).toBeTruthy();
    expect(within(share).getByRole("table", { name: "Share by category" }).textContent).toContain("Books$5,900.50100%");

    const growth = screen.getByRole("region", { name: "Growth ranking" });
    const bars = await within(growth).findByRole("img", { name: /highest first: South Asia \+60%, UK & Ireland \+12%/ });
    expect(bars.querySelectorAll("rect")).toHaveLength(2);

    const rates = screen.getByRole("region", { name: "Exchange rates" });
    expect((await within(rates).findByRole("rowheader", { name: "EUR" })).closest("tr")!.textContent).toBe("EUR0.91.11");

    // Another currency asks every operation again in it.
    fireEvent.change(screen.getByLabelText("Show amounts in"), { target: { value: "EUR" } });
    await within(trends).findByText(/amounts in EUR/);
    expect(server.callsTo("GET", "/global-market/market-share").at(-1)!.query.get("currency")).toBe("EUR");
  });

  it("compares prices, with the ids checked before the call", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /global-market/price-comparison": () =>
        json(200, {
          currency: "USD",
          asOf: "2026-06-30",
          notFound: ["P99999"],
          products: [
            {
              productId: "P00001",
              name: "Garden hose",
              minPrice: 17,
              maxPrice: 23.6,
              spreadPct: 38.8,
              cheapestRegion: "South Asia",
              mostExpensiveRegion: "Nordics",
              prices: [
                { region: "Nordics", country: "NO", localCurrency: "NOK", localPrice: 250, price: 23.6 },
                { region: "South Asia", country: "IN", localCurrency: "INR", localPrice: 1420, price: 17 },
              ],
            },
          ],
        }),
    });
    renderApp({ path: "/global-market", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Price comparison" });
    fireEvent.change(within(region).getByLabelText("Product ids"), { target: { value: "P00001, bad id!" } });
    fireEvent.click(within(region).getByRole("button", { name: "Compare prices" }));
    expect(await within(region).findByText("Not a product id: id!")).toBeTruthy();
    expect(server.callsTo("POST", "/global-market/price-comparison")).toHaveLength(0);

    fireEvent.change(within(region).getByLabelText("Product ids"), { target: { value: "P00001 P99999" } });
    fireEvent.change(within(region).getByLabelText("Regions (optional)"), { target: { value: "Nordics, South Asia" } });
    fireEvent.click(within(region).getByRole("button", { name: "Compare prices" }));
    const table = await within(region).findByRole("table", { name: /Garden hose: \$17.00 \(South Asia\) to \$23.60 \(Nordics\), spread 38.8%/ });
    expect(within(table).getAllByRole("row")[1]!.textContent).toBe("IN (South Asia)$17.00₹1,420.00—");
    expect(region.textContent).toContain("not found: P99999");
    expect(server.callsTo("POST", "/global-market/price-comparison")[0]!.body).toEqual({
      productIds: ["P00001", "P99999"],
      currency: "USD",
      regions: ["Nordics", "South Asia"],
    });
  });

  it("scores opportunities with the weights given, and shows the API's refusal", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /global-market/opportunities": [
        () => apiError(400, "VALIDATION_ERROR", "The request is invalid", { fields: [{ field: "weights.size", message: "must be <= 1" }] }),
        () =>
          json(200, {
            period: PERIOD,
            weights: { growth: 1, size: 0, margin: 0, competition: 0 },
            opportunities: [{ rank: 1, region: "South Asia", categoryId: "CAT12", category: "Grocery", score: 87.5, growthPct: 60, components: { growth: 1, size: 0.5, margin: 0.25, competition: 0 }, drivers: ["fast growth"] }],
          }),
      ],
    });
    renderApp({ path: "/global-market", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Opportunities" });
    for (const label of ["Weight of growth", "Weight of size", "Weight of margin", "Weight of low competition"])
      fireEvent.change(within(region).getByLabelText(label), { target: { value: "0" } });
    fireEvent.change(within(region).getByLabelText("Weight of margin"), { target: { value: "2" } });
    fireEvent.click(within(region).getByRole("button", { name: "Score opportunities" }));
    expect(await within(region).findByText("A weight must be at most 1.")).toBeTruthy();
    fireEvent.change(within(region).getByLabelText("Weight of margin"), { target: { value: "0" } });
    fireEvent.click(within(region).getByRole("button", { name: "Score opportunities" }));
    expect(await within(region).findByText("At least one weight must be above 0.")).toBeTruthy();
    expect(server.callsTo("POST", "/global-market/opportunities")).toHaveLength(0);

    fireEvent.change(within(region).getByLabelText("Weight of growth"), { target: { value: "1" } });
    fireEvent.click(within(region).getByRole("button", { name: "Score opportunities" }));
    expect(await within(region).findByText("must be <= 1")).toBeTruthy(); // under "Weight of size"
    fireEvent.click(within(region).getByRole("button", { name: "Score opportunities" }));
    const table = await within(region).findByRole("table", { name: "Region and category opportunities, best first" });
    expect(within(table).getAllByRole("row")[1]!.textContent).toBe("1South AsiaGrocery87.5+60%———growth 1 · size 0.5 · margin 0.25 · competition 0fast growth");
    expect(server.callsTo("POST", "/global-market/opportunities")[1]!.body).toEqual({
      weights: { growth: 1, size: 0, margin: 0, competition: 0 },
      limit: 20,
    });
  });
});
