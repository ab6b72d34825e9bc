import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PERIOD, SIGNED_IN } from "../test/areaFixtures";
import { apiError, fakeApi, json, tokenPair, type Call } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const forecast = (call: Call) => {
  const body = call.body as { metric: string; horizon: number; confidenceLevel: number };
  return json(200, {
    metric: body.metric,
    scope: "all",
    granularity: "day",
    model: "holt_winters",
    confidenceLevel: body.confidenceLevel,
    currency: "USD",
    history: [
      { date: "2026-06-27", value: 100 },
      { date: "2026-06-28", value: 300 },
      { date: "2026-06-29", value: 110 },
      { date: "2026-06-30", value: 120 },
    ],
    points: [
      { date: "2026-07-01", value: 125, lower: 100, upper: 150 },
      { date: "2026-07-02", value: 130, lower: 95, upper: 165 },
    ],
    metrics: { mae: 12.34, rmse: 15, smape: 8.25, holdoutPoints: 28 },
  });
};

const ANSWERS = {
  ...SIGNED_IN,
  "POST /market-intelligence/forecast": forecast,
  "POST /market-intelligence/compare-models": () =>
    json(200, {
      metric: "revenue",
      scope: "all",
      granularity: "day",
      holdout: 28,
      bestModel: "holt_winters",
      models: [
        { model: "holt_winters", rank: 1, mae: 12.34, rmse: 15, smape: 8.25 },
        { model: "seasonal_naive", rank: 2, mae: 20, rmse: 25, smape: 13.5 },
      ],
    }),
  "GET /market-intelligence/anomalies": (call: Call) =>
    json(200, {
      items: [{ date: "2026-06-28", metric: call.query.get("metric"), actual: 300, expected: 105, zScore: 5.2, deviationPct: 185.7, direction: "spike" }],
      count: 1,
      period: PERIOD,
      threshold: 3,
    }),
  "GET /market-intelligence/competitive-pricing": () =>
    json(200, {
      items: [{ productId: "P00007", name: "Kettle", currency: "USD", ourPrice: 40, competitorAvg: 42, priceIndex: 0.95, position: "below" }],
      count: 1,
      asOf: "2026-06-30",
    }),
  "GET /market-intelligence/price-position/P00007": () =>
    json(200, {
      productId: "P00007",
      name: "Kettle",
      currency: "USD",
      period: PERIOD,
      points: [
        { date: "2026-06-01", ourPrice: 41, competitorMin: 39, competitorAvg: 42, competitorMax: 45 },
        { date: "2026-06-08", ourPrice: 35, isPromo: true, competitorMin: 38, competitorAvg: 41, competitorMax: 44 },
        { date: "2026-06-15", ourPrice: 40, competitorMin: 39, competitorAvg: 42, competitorMax: 46 },
      ],
      current: { priceIndex: 0.95, position: "below" },
    }),
  "GET /market-intelligence/trends": () => json(200, { period: PERIOD, metric: "revenue", categories: [] }),
};

describe("Market intelligence", () => {
  it("opens on a forecast chart with its band, its model, the anomalies marked and the models compared", async () => {
    const server = fakeApi(ANSWERS);
    renderApp({ path: "/market-intelligence", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Forecast" });
    const chart = await within(region).findByRole("img", { name: /revenue forecast by day with Holt-Winters, 2 points with a 95% interval/ });
    expect(chart.querySelectorAll("path.chart-series")).toHaveLength(2);
    expect(chart.querySelector("path.chart-band")!.getAttribute("d")).toMatch(/^M/);
    const mark = chart.querySelector("circle.chart-mark-up")!;
    expect(mark.getAttribute("aria-label")).toBe("Spike, expected $105: Jun 28, 2026, $300");
    expect(region.textContent).toContain("Holt-Winters (chosen by backtest): $255 revenue over the next 2 days, with a 95% prediction interval");
    expect(region.textContent).toContain("sMAPE 8.3%");
    const models = await within(region).findByRole("table", { name: /best: Holt-Winters/ });
    expect(within(models).getAllByRole("row")[2]!.textContent).toBe("Seasonal naive213.5%2025—");
    expect(server.callsTo("POST", "/market-intelligence/forecast")[0]!.body).toEqual({
      metric: "revenue",
      scope: "all",
      granularity: "day",
      horizon: 30,
      model: "auto",
      confidenceLevel: 0.95,
    });
  });

  it("checks the forecast form inline and shows the API's 422", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /market-intelligence/forecast": [forecast, () => apiError(422, "HISTORY_TOO_SHORT", "The history of P00001 has 3 weeks: too short for a weekly season")],
    });
    renderApp({ path: "/market-intelligence", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Forecast" });
    await within(region).findByRole("img");
    const calls = server.callsTo("POST", "/market-intelligence/forecast").length;
    fireEvent.change(within(region).getByLabelText("Scope"), { target: { value: "product" } });
    fireEvent.change(within(region).getByLabelText("Horizon (periods)"), { target: { value: "400" } });
    fireEvent.click(within(region).getByRole("button", { name: "Forecast" }));
    expect(await within(region).findByText("The product id is required.")).toBeTruthy();
    expect(within(region).getByText("The horizon must be at most 365.")).toBeTruthy();
    expect(server.callsTo("POST", "/market-intelligence/forecast")).toHaveLength(calls);

    fireEvent.change(within(region).getByLabelText("Product id"), { target: { value: "P00001" } });
    fireEvent.change(within(region).getByLabelText("Horizon (periods)"), { target: { value: "14" } });
    fireEvent.click(within(region).getByRole("button", { name: "Forecast" }));
    const alert = await within(region).findByRole("alert");
    expect(alert.textContent).toContain("The history of P00001 has 3 weeks");
  });

  it("lists anomalies and a product's price position over time", async () => {
    renderApp({ path: "/market-intelligence", fetch: fakeApi(ANSWERS).fetch, tokens: tokenPair(1) });
    const anomalies = await screen.findByRole("region", { name: "Anomalies" });
    expect((await within(anomalies).findByRole("rowheader", { name: "Jun 28, 2026" })).closest("tr")!.textContent).toBe(
      "Jun 28, 2026spike300105+185.7%5.2All",
    );
    const pricing = screen.getByRole("region", { name: "Competitive pricing" });
    fireEvent.click(await within(pricing).findByRole("button", { name: "Kettle" }));
    const position = await screen.findByRole("region", { name: "Price position over time" });
    const chart = await within(position).findByRole("img", { name: "Our price and the competitors' for Kettle, 3 points" });
    expect(chart.querySelector("path.chart-band")).toBeTruthy();
    expect(chart.querySelectorAll("circle.chart-mark")).toHaveLength(1); // the promotion week
    expect(position.textContent).toContain("now below the competition (index 0.95)");
    expect(screen.getByRole("region", { name: "Category trends" }).textContent).toContain("No categories in this period.");
  });
});
