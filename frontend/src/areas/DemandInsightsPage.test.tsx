import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PERIOD, SIGNED_IN } from "../test/areaFixtures";
import { apiError, fakeApi, json, tokenPair } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const rfm = (recencyDays: number, frequency: number, monetary: number) => ({ recencyDays, frequency, monetary });
const CUSTOMER = {
  customerId: "C000042",
  name: "Grace Hopper",
  country: "US",
  region: "North America",
  currency: "USD",
  orders: 12,
  lastOrderDate: "2026-06-20",
  rfm: { ...rfm(10, 12, 1500.5), recencyScore: 5, frequencyScore: 4, monetaryScore: 5 },
  segment: { segmentId: "s1", label: "Champions" },
  lifetimeValue: { historical: 1500.5, predicted12Months: 820 },
  churn: { probability: 0.0625, risk: "low" },
};

const ANSWERS = {
  ...SIGNED_IN,
  "GET /demand-insights/segments": () =>
    json(200, {
      k: 2,
      period: PERIOD,
      currency: "USD",
      customers: 1200,
      silhouette: 0.41,
      segments: [
        { segmentId: "s1", label: "Champions", size: 200, sharePct: 16.7, profile: rfm(12.5, 9.2, 1800) },
        { segmentId: "s2", label: "At risk", size: 1000, sharePct: 83.3, profile: rfm(210, 1.4, 95.5) },
      ],
    }),
  "GET /demand-insights/segments/s1/customers": () =>
    json(200, { items: [{ customerId: "C000042", name: "Grace Hopper", region: "North America", rfm: rfm(10, 12, 1500.5) }], count: 1, label: "Champions" }),
  "GET /demand-insights/customers/C000042": () => json(200, CUSTOMER),
  "GET /demand-insights/customers/C404": () => apiError(404, "NOT_FOUND", "No customer C404"),
  "GET /demand-insights/at-risk-customers": () =>
    json(200, {
      items: [{ customerId: "C000007", name: "Alan Turing", churnProbability: 0.81, risk: "high", valueAtRisk: 640.25 }],
      count: 1,
      currency: "USD",
      totalValueAtRisk: 640.25,
    }),
  "GET /demand-insights/reorder-recommendations": () =>
    json(200, {
      items: [
        { productId: "P1", name: "Tea", warehouse: "EU-1", onHand: 50, reorderPoint: 40, reorderQuantity: 0, urgency: "none" },
        { productId: "P2", name: "Coffee", warehouse: "US-1", onHand: 3, reorderPoint: 40, reorderQuantity: 120, daysOfCover: 0.5, urgency: "high" },
      ],
      count: 2,
      serviceLevel: 0.95,
    }),
};

describe("Demand insights", () => {
  it("shows the segments, a segment's customers and a customer's card", async () => {
    const server = fakeApi(ANSWERS);
    renderApp({ path: "/demand-insights", fetch: server.fetch, tokens: tokenPair(1) });
    const segments = await screen.findByRole("region", { name: "Customer segments" });
    const bars = await within(segments).findByRole("img", { name: "Customers per segment: Champions 200, At risk 1000" });
    expect(bars.querySelectorAll("rect")).toHaveLength(2);
    expect(segments.textContent).toContain("1,200 customers with an order in Jun 1, 2026 – Jun 30, 2026, in 2 segments (silhouette 0.41)");

    fireEvent.click(within(segments).getByRole("button", { name: "Champions" }));
    const members = await screen.findByRole("region", { name: "Customers in the segment" });
    fireEvent.click(await within(members).findByRole("button", { name: "Grace Hopper" }));
    const card = await screen.findByRole("region", { name: "Customer C000042" });
    await within(card).findByText("Champions");
    expect(card.textContent).toContain("10 days (score 5 of 5)");
    expect(card.textContent).toContain("$1,500.50 so far, $820.00 expected in 12 months");
    expect(card.textContent).toContain("Churn risklow 6.25%");
  });

  it("checks the customer id and shows a 404 in words", async () => {
    const server = fakeApi(ANSWERS);
    renderApp({ path: "/demand-insights", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Customer" });
    fireEvent.change(within(region).getByLabelText("Customer id"), { target: { value: "C 1" } });
    fireEvent.click(within(region).getByRole("button", { name: "Show customer" }));
    expect(await within(region).findByText("The customer id may hold letters, digits and . _ : - only.")).toBeTruthy();
    fireEvent.change(within(region).getByLabelText("Customer id"), { target: { value: "C404" } });
    fireEvent.click(within(region).getByRole("button", { name: "Show customer" }));
    const alert = await within(region).findByRole("alert");
    expect(alert.textContent).toContain("No customer C404");
  });

  it("shows the value at stake and the reorder list, most urgent first", async () => {
    renderApp({ path: "/demand-insights", fetch: fakeApi(ANSWERS).fetch, tokens: tokenPair(1) });
    const risk = await screen.findByRole("region", { name: "Customers at risk" });
    expect((await within(risk).findByText("$640.25", { selector: "strong" })).textContent).toBe("$640.25");
    expect(within(risk).getByRole("table").textContent).toContain("Alan Turing—81%high$640.25—");
    const reorder = screen.getByRole("region", { name: "Reorder list" });
    const rows = within(await within(reorder).findByRole("table")).getAllByRole("row");
    expect(rows[1]!.textContent).toBe("CoffeeUS-1high3401200.5");
  });

  it("estimates elasticity and draws the price curve with the best price marked", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /demand-insights/price-elasticity": () =>
        json(200, {
          scope: "category",
          scopeId: "CAT01",
          elasticity: -1.82,
          standardError: 0.11,
          confidenceInterval: { lower: -2.04, upper: -1.6 },
          rSquared: 0.74,
          observations: 1040,
          interpretation: "elastic",
        }),
      "POST /demand-insights/price-optimization": () =>
        json(200, {
          productId: "P00001",
          objective: "revenue",
          currency: "USD",
          elasticity: -1.5,
          currentPrice: 20,
          recommendedPrice: 18,
          current: { price: 20, units: 100, revenue: 2000, margin: 800 },
          expected: { price: 18, units: 117, revenue: 2106, margin: 700 },
          upliftPct: 5.3,
          curve: [
            { price: 16, units: 136, revenue: 2176 - 100, margin: 500 },
            { price: 18, units: 117, revenue: 2106, margin: 700 },
            { price: 20, units: 100, revenue: 2000, margin: 800 },
          ],
        }),
    });
    renderApp({ path: "/demand-insights", fetch: server.fetch, tokens: tokenPair(1) });
    const elasticity = await screen.findByRole("region", { name: "Price elasticity" });
    fireEvent.change(within(elasticity).getByLabelText("Id"), { target: { value: "" } });
    fireEvent.click(within(elasticity).getByRole("button", { name: "Estimate elasticity" }));
    expect(await within(elasticity).findByText("The category id is required.")).toBeTruthy();
    fireEvent.change(within(elasticity).getByLabelText("Id"), { target: { value: "CAT01" } });
    fireEvent.click(within(elasticity).getByRole("button", { name: "Estimate elasticity" }));
    expect(await within(elasticity).findByText("-1.82")).toBeTruthy();
    expect(elasticity.textContent).toContain("-2.04 to -1.6");
    expect(elasticity.textContent).toContain("about -1.8%: elastic");

    const optimiser = screen.getByRole("region", { name: "Price optimiser" });
    fireEvent.change(within(optimiser).getByLabelText("Lowest price (optional)"), { target: { value: "30" } });
    fireEvent.change(within(optimiser).getByLabelText("Highest price (optional)"), { target: { value: "10" } });
    fireEvent.click(within(optimiser).getByRole("button", { name: "Find the best price" }));
    expect(await within(optimiser).findByText("The highest price must be above the lowest.")).toBeTruthy();
    fireEvent.change(within(optimiser).getByLabelText("Highest price (optional)"), { target: { value: "" } });
    fireEvent.change(within(optimiser).getByLabelText("Lowest price (optional)"), { target: { value: "" } });
    fireEvent.click(within(optimiser).getByRole("button", { name: "Find the best price" }));
    const chart = await within(optimiser).findByRole("img", { name: /Expected revenue by price, 3 prices from \$16.00 to \$20.00; best at \$18.00/ });
    expect(chart.querySelector("circle.chart-mark-up")!.getAttribute("aria-label")).toBe("Recommended price: $18, $2,106");
    expect(optimiser.textContent).toContain("Recommended price $18.00 (now $20.00)");
    expect(server.callsTo("POST", "/demand-insights/price-optimization")[0]!.body).toEqual({ productId: "P00001", objective: "revenue", currency: "USD" });
  });
});
