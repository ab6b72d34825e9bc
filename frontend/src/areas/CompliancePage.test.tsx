import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ADMIN, PERIOD, SIGNED_IN } from "../test/areaFixtures";
import { apiError, fakeApi, json, tokenPair, type Call } from "../test/fakeApi";
import { renderApp } from "../test/renderApp";

const CASE = {
  caseId: "case-1",
  title: "Card testing from one device",
  severity: "high",
  status: "open",
  createdBy: "u1",
  createdAt: "2026-06-30T10:00:00Z",
  updatedAt: "2026-06-30T10:00:00Z",
  version: 3,
};

const ANSWERS = {
  ...SIGNED_IN,
  "GET /compliance/fraud-statistics": () =>
    json(200, {
      period: PERIOD,
      transactions: 20000,
      fraudulent: 150,
      fraudRate: 0.0075,
      byMethod: [
        { key: "card", transactions: 15000, fraudulent: 140, fraudRate: 0.009333 },
        { key: "paypal", transactions: 5000, fraudulent: 10, fraudRate: 0.002 },
      ],
      byCountry: [],
      byAmountBand: [],
    }),
  "GET /compliance/high-risk-transactions": () =>
    json(200, {
      items: [
        {
          paymentId: "PAY1",
          orderId: "O1",
          amount: 999,
          currency: "EUR",
          paymentMethod: "card",
          billingCountry: "DE",
          ipCountry: "NG",
          score: 0.91,
          decision: "decline",
          reasons: ["ip_mismatch", "new_device"],
          createdAt: "2026-06-29T02:00:00Z",
        },
      ],
      count: 1,
    }),
  "GET /compliance/cases": () => json(200, { items: [CASE, { ...CASE, caseId: "case-2", title: "Old case", status: "resolved" }], count: 2 }),
};

describe("Compliance", () => {
  it("draws the fraud statistics and lists high-risk payments", async () => {
    renderApp({ path: "/compliance", fetch: fakeApi(ANSWERS).fetch, tokens: tokenPair(1) });
    const stats = await screen.findByRole("region", { name: "Fraud statistics" });
    const table = await within(stats).findByRole("table", { name: "By payment method" });
    const rows = within(table)
      .getAllByRole("row")
      .map((row) => [...row.querySelectorAll("th, td")].map((c) => c.textContent));
    expect(rows).toEqual([
      ["Method", "Payments", "Fraudulent", "Fraud rate"],
      ["card", "15,000", "140", "0.93%"],
      ["paypal", "5,000", "10", "0.2%"],
    ]);
    const chart = within(stats).getByRole("img", { name: "Fraud rate by payment method: card 0.93%, paypal 0.2%" });
    expect(chart.querySelectorAll("rect")).toHaveLength(2);
    expect(within(stats).getByText("150 (0.75%)")).toBeTruthy();
    expect(within(stats).getAllByRole("table")).toHaveLength(1); // empty breakdowns are not drawn

    const risky = screen.getByRole("region", { name: "High-risk transactions" });
    expect((await within(risky).findByRole("rowheader", { name: "PAY1" })).closest("tr")!.textContent).toContain("€999.00cardDE / IP NG91%declineip_mismatch, new_device");
    expect(screen.getByRole("region", { name: "Audit log" }).textContent).toContain("administrators only");
  });

  it("checks a transaction, shows its score and reasons, and opens a case from it", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /compliance/fraud-detection": () =>
        json(200, {
          score: 0.82,
          decision: "decline",
          riskLevel: "high",
          reasons: [
            { code: "country_mismatch", message: "Billing, shipping and IP countries differ", contribution: 0.5 },
            { code: "attempts", message: "4 attempts", contribution: 0.25 },
          ],
          modelVersion: "fraud-2026-06",
        }),
      "POST /compliance/cases": (call: Call) => json(201, { ...CASE, caseId: "case-9", ...(call.body as object), status: "open", version: 1 }),
      "PATCH /compliance/cases/case-9": (call: Call) =>
        json(200, {
          ...CASE,
          caseId: "case-9",
          title: "Review card payment of $999.00 (score 82%)",
          version: 2,
          notes: [{ author: "u1", text: (call.body as { note: string }).note, createdAt: "2026-06-30T10:00:00Z" }],
        }),
    });
    renderApp({ path: "/compliance", fetch: server.fetch, tokens: tokenPair(1) });
    const region = await screen.findByRole("region", { name: "Fraud checker" });
    fireEvent.change(within(region).getByLabelText("IP country"), { target: { value: "nigeria" } });
    fireEvent.change(within(region).getByLabelText("Amount"), { target: { value: "-5" } });
    fireEvent.click(within(region).getByRole("button", { name: "Check transaction" }));
    expect(await within(region).findByText("Use a two-letter country code (DE).")).toBeTruthy();
    expect(within(region).getByText("The amount must be at least 0.")).toBeTruthy();
    expect(server.callsTo("POST", "/compliance/fraud-detection")).toHaveLength(0);

    fireEvent.change(within(region).getByLabelText("IP country"), { target: { value: "NG" } });
    fireEvent.change(within(region).getByLabelText("Amount"), { target: { value: "999" } });
    fireEvent.change(within(region).getByLabelText("Attempts"), { target: { value: "4" } });
    fireEvent.click(within(region).getByRole("button", { name: "Check transaction" }));
    expect((await within(region).findByLabelText("Fraud score 82%")).textContent).toBe("82%");
    expect(within(region).getByRole("img", { name: "What drove the score: country_mismatch, attempts" }).querySelectorAll("rect")).toHaveLength(2);
    expect(region.textContent).toContain("country_mismatch: Billing, shipping and IP countries differ (50% of the score)");
    expect(server.callsTo("POST", "/compliance/fraud-detection")[0]!.body).toEqual({
      amount: 999,
      currency: "USD",
      paymentMethod: "card",
      attempts: 4,
      billingCountry: "US",
      shippingCountry: "US",
      ipCountry: "NG",
    });

    fireEvent.click(within(region).getByRole("button", { name: "Open a case" }));
    expect((await within(region).findByRole("status")).textContent).toContain("Case opened: Review card payment of $999.00 (score 82%)");
    const sent = server.callsTo("POST", "/compliance/cases")[0]!.body as Record<string, unknown>;
    expect(sent).toEqual({ title: "Review card payment of $999.00 (score 82%)", severity: "high", tags: ["fraud-check"] });
    // the check's outcome is the case's first note, on the version just created
    expect(server.callsTo("PATCH", "/compliance/cases/case-9")[0]!.body).toEqual({
      note: "Fraud check: decline, Billing, shipping and IP countries differ; 4 attempts.",
      version: 1,
    });
  });

  it("moves a case on the board with its version, and shows a 409 in words", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "PATCH /compliance/cases/case-1": () => apiError(409, "VERSION_CONFLICT", "The case changed since you loaded it (version 4)"),
    });
    renderApp({ path: "/compliance", fetch: server.fetch, tokens: tokenPair(1) });
    const open = await screen.findByRole("region", { name: "Open cases" });
    expect(screen.getByRole("region", { name: "Resolved cases" }).textContent).toContain("Old case");
    expect(within(screen.getByRole("region", { name: "Resolved cases" })).queryAllByRole("button")).toHaveLength(0); // closed stays closed
    fireEvent.click(within(open).getByRole("button", { name: "Investigate: Card testing from one device" }));
    const alert = await within(open).findByRole("alert");
    expect(alert.textContent).toContain("The case changed since you loaded it (version 4)");
    expect(server.callsTo("PATCH", "/compliance/cases/case-1")[0]!.body).toEqual({ status: "investigating", version: 3 });
  });

  it("masks card numbers and redacts personal data, as the API answers", async () => {
    const server = fakeApi({
      ...ANSWERS,
      "POST /compliance/pci-compliance": () =>
        json(200, {
          compliant: false,
          findingCount: 1,
          findings: [{ type: "card_number", path: "/card", masked: "************1111", brand: "visa" }],
          masked: { card: "************1111" },
        }),
      "POST /compliance/pii-scan": () =>
        json(200, {
          findingCount: 1,
          countsByType: { email: 1, phone: 0, nationalId: 0 },
          findings: [{ type: "email", path: "", masked: "a***@example.com" }],
          redacted: "write to a***@example.com",
        }),
    });
    renderApp({ path: "/compliance", fetch: server.fetch, tokens: tokenPair(1) });
    const pci = await screen.findByRole("region", { name: "PCI scanner" });
    fireEvent.click(within(pci).getByRole("button", { name: "Scan for card data" }));
    expect(await within(pci).findByText("Paste the text or JSON to scan.")).toBeTruthy();
    fireEvent.change(within(pci).getByLabelText("Text or JSON to scan"), { target: { value: '{"card": "4111 1111 1111 1111"}' } });
    fireEvent.click(within(pci).getByRole("button", { name: "Scan for card data" }));
    expect((await within(pci).findByLabelText("Masked output")).textContent).toBe('{\n  "card": "************1111"\n}');
    expect(within(pci).getByRole("status").textContent).toBe("1 finding: not compliant.");
    expect(server.callsTo("POST", "/compliance/pci-compliance")[0]!.body).toEqual({ payload: { card: "4111 1111 1111 1111" }, keepLast: 4 });

    const pii = screen.getByRole("region", { name: "PII scanner" });
    fireEvent.change(within(pii).getByLabelText("Text or JSON to scan for personal data"), { target: { value: "write to ada@example.com" } });
    fireEvent.click(within(pii).getByRole("button", { name: "Scan for personal data" }));
    expect((await within(pii).findByLabelText("Redacted output")).textContent).toBe("write to a***@example.com");
    expect(server.callsTo("POST", "/compliance/pii-scan")[0]!.body).toEqual({ payload: "write to ada@example.com", redaction: "mask" });
  });

  it("shows admins the audit log", async () => {
    const server = fakeApi({
      ...ANSWERS,
      ...ADMIN,
      "GET /compliance/audit-log": () =>
        json(200, {
          items: [{ eventId: "e1", timestamp: "2026-06-30T10:00:00Z", email: "ada@example.com", method: "GET", path: "/analytics/kpis", status: 200, latencyMs: 12 }],
          count: 1,
        }),
    });
    renderApp({ path: "/compliance", fetch: server.fetch, tokens: tokenPair(1) });
    // (the section first says "administrators only" until /auth/me has answered with the role)
    const table = await screen.findByRole("table", { name: "API calls, newest first" });
    expect(table.closest("section")!.querySelector("h2")!.textContent).toBe("Audit log");
    expect(table.textContent).toContain("ada@example.comGET /analytics/kpis20012 ms");
    expect(screen.queryByText(/administrators only/)).toBeNull();
  });
});
