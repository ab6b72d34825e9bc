import { useState } from "react";
import type { Schemas } from "../api/client";
import { useApiGet, useApiPost } from "../api/hooks";
import { BarChart, LineChart } from "../charts";
import { AreaPage } from "../components/AreaPage";
import { ApiForm } from "../components/ApiForm";
import { DataTable } from "../components/DataTable";
import { Field } from "../components/Field";
import { checks, SelectField, Toggle } from "../components/FormFields";
import { formatDate, formatMoney, formatNumber, formatPct, formatPeriod, formatRate } from "../components/format";
import { Section } from "../components/Section";
import { useApiForm } from "../components/useApiForm";

/** demand-insights' area: customer segments, one customer's card, price elasticity and the price
 * optimiser, customers at risk of churning, and what to reorder. */
export default function DemandInsightsPage() {
  const [customerId, setCustomerId] = useState("");
  return (
    <AreaPage area="/demand-insights">
      <Segments onCustomer={setCustomerId} />
      <CustomerCard customerId={customerId} onCustomer={setCustomerId} />
      <AtRisk onCustomer={setCustomerId} />
      <Elasticity />
      <PriceOptimiser />
      <Reorders />
    </AreaPage>
  );
}

function Segments({ onCustomer }: { onCustomer: (id: string) => void }) {
  const segments = useApiGet("/demand-insights/segments");
  const [segmentId, setSegmentId] = useState<string | null>(null);
  return (
    <Section title="Customer segments" source="GET /demand-insights/segments" query={segments}>
      {(report) => {
        const money = (v: number) => formatMoney(v, report.currency);
        return (
          <>
            <p>
              {formatNumber(report.customers)} customers with an order in {formatPeriod(report.period)}, in {report.k} segments
              {report.silhouette !== undefined && ` (silhouette ${formatNumber(report.silhouette, 2)})`}.
            </p>
            <BarChart
              label={`Customers per segment: ${report.segments.map((s) => `${s.label} ${s.size}`).join(", ")}`}
              bars={report.segments.map((s) => ({ label: s.label, value: s.size }))}
              formatValue={(v) => formatNumber(v)}
            />
            <DataTable
              caption="Segment profiles (recency, frequency and spend are means); choose one to list its customers"
              rows={report.segments}
              rowKey={(s) => s.segmentId}
              selected={segmentId ?? undefined}
              empty="No customers to segment in this period."
              columns={[
                {
                  header: "Segment",
                  cell: (s) => (
                    <button type="button" className="link-button" onClick={() => setSegmentId(s.segmentId)}>
                      {s.label}
                    </button>
                  ),
                  sort: (s) => s.label,
                },
                { header: "Customers", cell: (s) => formatNumber(s.size), sort: (s) => s.size, numeric: true },
                { header: "Share", cell: (s) => (s.sharePct !== undefined ? formatPct(s.sharePct) : "—"), sort: (s) => s.sharePct, numeric: true },
                { header: "Days since last order", cell: (s) => formatNumber(s.profile.recencyDays, 1), sort: (s) => s.profile.recencyDays, numeric: true },
                { header: "Orders", cell: (s) => formatNumber(s.profile.frequency, 1), sort: (s) => s.profile.frequency, numeric: true },
                { header: "Spend", cell: (s) => money(s.profile.monetary), sort: (s) => s.profile.monetary, numeric: true },
                {
                  header: "Revenue share",
                  cell: (s) => (s.revenueSharePct !== undefined ? formatPct(s.revenueSharePct) : "—"),
                  sort: (s) => s.revenueSharePct,
                  numeric: true,
                },
                {
                  header: "Lifetime value",
                  cell: (s) => (s.averageLifetimeValue !== undefined ? money(s.averageLifetimeValue) : "—"),
                  sort: (s) => s.averageLifetimeValue,
                  numeric: true,
                },
              ]}
            />
            {segmentId && <SegmentCustomers segmentId={segmentId} onCustomer={onCustomer} />}
          </>
        );
      }}
    </Section>
  );
}

function SegmentCustomers({ segmentId, onCustomer }: { segmentId: string; onCustomer: (id: string) => void }) {
  const page = useApiGet("/demand-insights/segments/{segmentId}/customers", { path: { segmentId }, query: { limit: 50 } });
  return (
    <Section title="Customers in the segment" source={`GET /demand-insights/segments/${segmentId}/customers`} query={page}>
      {(p) => (
        <DataTable
          caption={`Customers in ${p.label ?? segmentId}`}
          rows={p.items}
          rowKey={(c) => c.customerId}
          pageSize={10}
          empty="No customers in this segment."
          columns={[
            {
              header: "Customer",
              cell: (c) => (
                <button type="button" className="link-button" onClick={() => onCustomer(c.customerId)}>
                  {c.name ?? c.customerId}
                </button>
              ),
              sort: (c) => c.name ?? c.customerId,
            },
            { header: "Region", cell: (c) => c.region ?? "—", sort: (c) => c.region },
            { header: "Days since last order", cell: (c) => formatNumber(c.rfm.recencyDays), sort: (c) => c.rfm.recencyDays, numeric: true },
            { header: "Orders", cell: (c) => formatNumber(c.rfm.frequency), sort: (c) => c.rfm.frequency, numeric: true },
            { header: "Spend", cell: (c) => formatMoney(c.rfm.monetary, p.currency ?? "USD"), sort: (c) => c.rfm.monetary, numeric: true },
          ]}
        />
      )}
    </Section>
  );
}

function CustomerCard({ customerId, onCustomer }: { customerId: string; onCustomer: (id: string) => void }) {
  const [draft, setDraft] = useState(customerId);
  const [problem, setProblem] = useState<string | undefined>();
  const [shown, setShown] = useState(customerId);
  if (customerId !== shown) {
    setShown(customerId);
    setDraft(customerId);
  }
  const insight = useApiGet("/demand-insights/customers/{customerId}", { path: { customerId } }, { enabled: !!customerId });
  return (
    <Section title="Customer" source="GET /demand-insights/customers/{customerId}">
      <form
        className="inline-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const p = checks.id(draft, "The customer id");
          setProblem(p);
          if (!p) onCustomer(draft.trim());
        }}
      >
        <Field label="Customer id" placeholder="C000001" value={draft} onChange={(e) => setDraft(e.target.value)} errors={problem ? [problem] : []} />
        <button type="submit">Show customer</button>
      </form>
      {customerId && (
        <Section title={`Customer ${customerId}`} query={insight}>
          {(c) => <CustomerFacts customer={c} />}
        </Section>
      )}
    </Section>
  );
}

function CustomerFacts({ customer: c }: { customer: Schemas["CustomerInsight"] }) {
  const money = (v: number) => formatMoney(v, c.currency);
  const score = (s?: number) => (s !== undefined ? ` (score ${s} of 5)` : "");
  return (
    <div className="split">
      <dl className="facts">
        <dt>Name</dt>
        <dd>{c.name ?? "—"}</dd>
        <dt>Where</dt>
        <dd>{[c.country, c.region].filter(Boolean).join(", ") || "—"}</dd>
        <dt>Customer since</dt>
        <dd>{c.signupDate ? formatDate(c.signupDate) : "—"}</dd>
        <dt>Segment</dt>
        <dd>{c.segment.label}</dd>
        <dt>Orders</dt>
        <dd>
          {formatNumber(c.orders)}
          {c.lastOrderDate && `, last on ${formatDate(c.lastOrderDate)}`}
        </dd>
      </dl>
      <dl className="facts">
        <dt>Recency</dt>
        <dd>
          {formatNumber(c.rfm.recencyDays)} days{score(c.rfm.recencyScore)}
        </dd>
        <dt>Frequency</dt>
        <dd>
          {formatNumber(c.rfm.frequency)} orders{score(c.rfm.frequencyScore)}
        </dd>
        <dt>Monetary</dt>
        <dd>
          {money(c.rfm.monetary)}
          {score(c.rfm.monetaryScore)}
        </dd>
        <dt>Lifetime value</dt>
        <dd>
          {money(c.lifetimeValue.historical)} so far, {money(c.lifetimeValue.predicted12Months)} expected in 12 months
        </dd>
        <dt>Churn risk</dt>
        <dd>
          <span className={`badge badge-${c.churn.risk}`}>{c.churn.risk}</span> {formatRate(c.churn.probability)}
        </dd>
      </dl>
    </div>
  );
}

function AtRisk({ onCustomer }: { onCustomer: (id: string) => void }) {
  const page = useApiGet("/demand-insights/at-risk-customers", { query: { limit: 50 } });
  return (
    <Section title="Customers at risk" source="GET /demand-insights/at-risk-customers" query={page}>
      {(p) => {
        const money = (v: number) => formatMoney(v, p.currency ?? "USD");
        return (
          <>
            {p.totalValueAtRisk !== undefined && (
              <p>
                <strong>{money(p.totalValueAtRisk)}</strong> of expected value at stake across the customers listed.
              </p>
            )}
            <DataTable
              caption="Customers most likely to churn, by value at stake"
              rows={p.items}
              rowKey={(c) => c.customerId}
              pageSize={10}
              empty="No customer is at risk."
              columns={[
                {
                  header: "Customer",
                  cell: (c) => (
                    <button type="button" className="link-button" onClick={() => onCustomer(c.customerId)}>
                      {c.name ?? c.customerId}
                    </button>
                  ),
                  sort: (c) => c.name ?? c.customerId,
                },
                { header: "Region", cell: (c) => c.region ?? "—", sort: (c) => c.region },
                { header: "Churn probability", cell: (c) => formatRate(c.churnProbability), sort: (c) => c.churnProbability, numeric: true },
                { header: "Risk", cell: (c) => <span className={`badge badge-${c.risk}`}>{c.risk}</span>, sort: (c) => c.churnProbability },
                { header: "Value at stake", cell: (c) => money(c.valueAtRisk), sort: (c) => c.valueAtRisk, numeric: true },
                { header: "Last order", cell: (c) => (c.lastOrderDate ? formatDate(c.lastOrderDate) : "—"), sort: (c) => c.lastOrderDate },
              ]}
            />
          </>
        );
      }}
    </Section>
  );
}

const INTERPRETATION = {
  elastic: "elastic: demand moves more than the price",
  unit_elastic: "unit elastic: demand moves as much as the price",
  inelastic: "inelastic: demand moves less than the price",
};

function Elasticity() {
  const estimate = useApiPost("/demand-insights/price-elasticity");
  const form = useApiForm({
    initial: { scope: "category", scopeId: "CAT01", excludePromotions: "no" },
    check: (v) => ({ scopeId: checks.id(v.scopeId, v.scope === "category" ? "The category id" : "The product id") }),
    submit: (v) =>
      estimate.mutateAsync({
        scope: v.scope as "category" | "product",
        scopeId: v.scopeId.trim(),
        excludePromotions: v.excludePromotions === "yes",
      }),
  });
  const e = estimate.data;
  return (
    <Section title="Price elasticity" source="POST /demand-insights/price-elasticity">
      <ApiForm form={{ ...form, mutation: estimate }} submitLabel="Estimate elasticity" pendingLabel="Estimating…">
        <div className="form-grid">
          <SelectField
            label="Of"
            options={[
              { value: "category", label: "A category" },
              { value: "product", label: "A product" },
            ]}
            {...form.field("scope")}
          />
          <Field label="Id" placeholder="CAT01 or P00001" {...form.field("scopeId")} />
          <SelectField
            label="Promotion weeks"
            options={[
              { value: "no", label: "Included" },
              { value: "yes", label: "Left out" },
            ]}
            {...form.field("excludePromotions")}
          />
        </div>
      </ApiForm>
      {e && (
        <dl className="facts">
          <dt>Elasticity</dt>
          <dd>
            <span className="score">{formatNumber(e.elasticity, 2)}</span> ± {formatNumber(e.standardError, 2)} (standard error)
          </dd>
          {e.confidenceInterval && (
            <>
              <dt>95% interval</dt>
              <dd>
                {formatNumber(e.confidenceInterval.lower, 2)} to {formatNumber(e.confidenceInterval.upper, 2)}
              </dd>
            </>
          )}
          <dt>Reading</dt>
          <dd>
            A 1% higher price changes units by about {formatPct(e.elasticity, true)}: {INTERPRETATION[e.interpretation]}.
          </dd>
          <dt>Fit</dt>
          <dd>
            {formatNumber(e.observations)} observations
            {e.rSquared !== undefined && `, R² ${formatNumber(e.rSquared, 2)}`}
            {e.period && `, ${formatPeriod(e.period)}`}
          </dd>
        </dl>
      )}
    </Section>
  );
}

function PriceOptimiser() {
  const optimise = useApiPost("/demand-insights/price-optimization");
  const form = useApiForm({
    initial: { productId: "P00001", objective: "revenue", minPrice: "", maxPrice: "", unitCost: "" },
    check: (v) => ({
      productId: checks.id(v.productId, "The product id"),
      minPrice: checks.number(v.minPrice, { min: 0, what: "The lowest price", optional: true }),
      maxPrice:
        checks.number(v.maxPrice, { min: 0, what: "The highest price", optional: true }) ??
        (v.minPrice && v.maxPrice && Number(v.maxPrice) <= Number(v.minPrice) ? "The highest price must be above the lowest." : undefined),
      unitCost: checks.number(v.unitCost, { min: 0, what: "The unit cost", optional: true }),
    }),
    submit: (v) =>
      optimise.mutateAsync({
        productId: v.productId.trim(),
        objective: v.objective as "revenue" | "margin",
        currency: "USD",
        ...(v.minPrice ? { minPrice: Number(v.minPrice) } : {}),
        ...(v.maxPrice ? { maxPrice: Number(v.maxPrice) } : {}),
        ...(v.unitCost ? { unitCost: Number(v.unitCost) } : {}),
      }),
  });
  const o = optimise.data;
  const money = (v: number) => formatMoney(v, o?.currency ?? "USD");
  const objectiveOf = (p: Schemas["PriceCurvePoint"]) => (o?.objective === "margin" ? p.margin : p.revenue);
  return (
    <Section title="Price optimiser" source="POST /demand-insights/price-optimization">
      <ApiForm form={{ ...form, mutation: optimise }} submitLabel="Find the best price" pendingLabel="Optimising…">
        <div className="form-grid">
          <Field label="Product id" {...form.field("productId")} />
          <SelectField label="Maximise" options={["revenue", "margin"]} {...form.field("objective")} />
          <Field label="Lowest price (optional)" inputMode="decimal" {...form.field("minPrice")} />
          <Field label="Highest price (optional)" inputMode="decimal" {...form.field("maxPrice")} />
          <Field label="Unit cost (optional)" inputMode="decimal" {...form.field("unitCost")} />
        </div>
      </ApiForm>
      {o && (
        <>
          <p>
            Recommended price <strong>{money(o.recommendedPrice)}</strong> (now {money(o.currentPrice)}), expected {o.objective}{" "}
            {money(objectiveOf(o.expected))} per week at {formatNumber(o.expected.units, 1)} units: {formatPct(o.upliftPct, true)} with an
            elasticity of {formatNumber(o.elasticity, 2)}.
          </p>
          {o.curve && o.curve.length > 0 && (
            <LineChart
              label={`Expected ${o.objective} by price, ${o.curve.length} prices from ${money(o.curve[0]!.price)} to ${money(o.curve.at(-1)!.price)}; best at ${money(o.recommendedPrice)}`}
              xType="number"
              formatX={(v) => money(v).replace(/\.00$/, "")}
              formatY={(v) => money(v).replace(/\.\d+$/, "")}
              series={[{ name: `Expected ${o.objective}`, points: o.curve.map((p) => ({ x: p.price, y: objectiveOf(p) })) }]}
              marks={[
                { x: o.recommendedPrice, y: objectiveOf(o.expected), label: "Recommended price", kind: "up" },
                ...(o.current ? [{ x: o.current.price, y: objectiveOf(o.current), label: "Current price", kind: "point" as const }] : []),
              ]}
            />
          )}
        </>
      )}
    </Section>
  );
}

function Reorders() {
  const [urgentOnly, setUrgentOnly] = useState<"all" | "urgent">("all");
  const page = useApiGet("/demand-insights/reorder-recommendations", {
    query: { limit: 100, ...(urgentOnly === "urgent" ? { urgentOnly: true } : {}) },
  });
  const order = { high: 0, medium: 1, low: 2, none: 3 } as const;
  return (
    <Section
      title="Reorder list"
      source="GET /demand-insights/reorder-recommendations"
      query={page}
      actions={
        <Toggle
          label="Which items"
          value={urgentOnly}
          onChange={setUrgentOnly}
          options={[
            { value: "all", label: "All" },
            { value: "urgent", label: "Urgent only" },
          ]}
        />
      }
    >
      {(p) => (
        <>
          {p.serviceLevel !== undefined && <p>Reorder points for a {formatRate(p.serviceLevel)} service level.</p>}
          <DataTable
            caption="What to reorder, most urgent first"
            rows={[...p.items].sort((a, b) => order[a.urgency] - order[b.urgency])}
            rowKey={(r) => `${r.productId}-${r.warehouse}`}
            pageSize={10}
            empty="Nothing needs reordering."
            columns={[
              { header: "Product", cell: (r) => r.name ?? r.productId, sort: (r) => r.name ?? r.productId },
              { header: "Warehouse", cell: (r) => r.warehouse, sort: (r) => r.warehouse },
              { header: "Urgency", cell: (r) => <span className={`badge badge-${r.urgency === "none" ? "low" : r.urgency}`}>{r.urgency}</span>, sort: (r) => 3 - order[r.urgency] },
              { header: "On hand", cell: (r) => formatNumber(r.onHand), sort: (r) => r.onHand, numeric: true },
              { header: "Reorder point", cell: (r) => formatNumber(r.reorderPoint), sort: (r) => r.reorderPoint, numeric: true },
              { header: "Order", cell: (r) => formatNumber(r.reorderQuantity), sort: (r) => r.reorderQuantity, numeric: true },
              { header: "Days of cover", cell: (r) => (r.daysOfCover !== undefined ? formatNumber(r.daysOfCover, 1) : "—"), sort: (r) => r.daysOfCover, numeric: true },
            ]}
          />
        </>
      )}
    </Section>
  );
}
