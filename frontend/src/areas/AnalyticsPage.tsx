import { useState } from "react";
import { useApiGet } from "../api/hooks";
import { BarChart, dateToX, Heatmap, LineChart } from "../charts";
import { AreaPage } from "../components/AreaPage";
import { DataTable } from "../components/DataTable";
import { Toggle } from "../components/FormFields";
import { daysBefore, formatChangePct, formatDate, formatMoney, formatNumber, formatPct, formatPeriod } from "../components/format";
import { Section } from "../components/Section";
import { QueryBuilder } from "./analytics/QueryBuilder";
import { ChangeKpiCard } from "./ChangeKpiCard";

const count = (value: number) => formatNumber(value);
type Granularity = "day" | "week" | "month";
const GRANULARITIES = [
  { value: "day", label: "Day" },
  { value: "week", label: "Week" },
  { value: "month", label: "Month" },
] as const;

/** The analytics-service's area: KPIs, sales over time, top products, categories, cohorts,
 * insights and the structured query. Each section is one operation with its own states. */
export default function AnalyticsPage() {
  return (
    <AreaPage area="/analytics">
      <Kpis />
      <SalesChart />
      <Insights />
      <CategoryPerformance />
      <TopProducts />
      <Cohorts />
      <QueryBuilder />
    </AreaPage>
  );
}

function Kpis() {
  const kpis = useApiGet("/analytics/kpis");
  return (
    <Section title="Key figures" source="GET /analytics/kpis" query={kpis}>
      {(report) => {
        const money = (value: number) => formatMoney(value, report.currency);
        return (
          <>
            <p>
              {formatPeriod(report.period)} (previous: {formatPeriod(report.previousPeriod)})
            </p>
            <div className="kpi-grid">
              <ChangeKpiCard label="Revenue" kpi={report.revenue} format={money} />
              <ChangeKpiCard label="Orders" kpi={report.orders} format={count} />
              <ChangeKpiCard label="Average order value" kpi={report.averageOrderValue} format={money} />
              <ChangeKpiCard label="Active customers" kpi={report.activeCustomers} format={count} />
            </div>
          </>
        );
      }}
    </Section>
  );
}

/** How far back each granularity looks from the data's last day: a month of days, half a year
 * of weeks, two years of months (the service's default period is the last month). */
const LOOKBACK_DAYS: Record<Granularity, number | null> = { day: null, week: 182, month: 730 };

function SalesChart() {
  const [granularity, setGranularity] = useState<Granularity>("day");
  // "today" is the data's last day, which only the API knows: the first answer tells it.
  const [lastDay, setLastDay] = useState<string | null>(null);
  const lookback = LOOKBACK_DAYS[granularity];
  const sales = useApiGet("/analytics/sales-timeseries", {
    query: { granularity, ...(lookback && lastDay ? { from: daysBefore(lastDay, lookback), to: lastDay } : {}) },
  });
  if (sales.data && !lastDay) setLastDay(sales.data.period.to);
  return (
    <Section
      title="Sales"
      source="GET /analytics/sales-timeseries"
      query={sales}
      actions={<Toggle label="Granularity" options={GRANULARITIES} value={granularity} onChange={setGranularity} />}
    >
      {(series) => {
        const revenue = series.points.reduce((sum, p) => sum + p.revenue, 0);
        const orders = series.points.reduce((sum, p) => sum + p.orders, 0);
        return (
          <>
            <p>
              {formatPeriod(series.period)}: {formatMoney(revenue, series.currency)} from {formatNumber(orders)} orders, by{" "}
              {series.granularity}.
            </p>
            <LineChart
              label={`Revenue by ${series.granularity}, ${formatPeriod(series.period)}, ${series.points.length} points`}
              series={[{ name: "Revenue", points: series.points.map((p) => ({ x: dateToX(p.date), y: p.revenue })) }]}
              formatY={(v) => formatMoney(v, series.currency).replace(/\.\d+$/, "")}
              includeZero
            />
          </>
        );
      }}
    </Section>
  );
}

function TopProducts() {
  const top = useApiGet("/analytics/top-products", { query: { limit: 50 } });
  return (
    <Section title="Top products" source="GET /analytics/top-products" query={top}>
      {(page) => {
        const money = (v: number) => formatMoney(v, page.currency ?? "USD");
        return (
          <>
            {page.period && <p>{formatPeriod(page.period)}, by {page.by ?? "revenue"}.</p>}
            <DataTable
              caption="Top products"
              rows={page.items}
              rowKey={(p) => p.productId}
              pageSize={10}
              empty="No sales in this period."
              columns={[
                { header: "Rank", cell: (p) => p.rank, sort: (p) => p.rank, numeric: true },
                { header: "Product", cell: (p) => p.name, sort: (p) => p.name },
                { header: "Category", cell: (p) => p.category ?? p.categoryId ?? "—", sort: (p) => p.category },
                { header: "Revenue", cell: (p) => money(p.revenue), sort: (p) => p.revenue, numeric: true },
                { header: "Units", cell: (p) => formatNumber(p.units), sort: (p) => p.units, numeric: true },
                {
                  header: "Share",
                  cell: (p) => (p.revenueSharePct !== undefined ? formatPct(p.revenueSharePct) : "—"),
                  sort: (p) => p.revenueSharePct,
                  numeric: true,
                },
              ]}
            />
          </>
        );
      }}
    </Section>
  );
}

function CategoryPerformance() {
  const report = useApiGet("/analytics/category-performance");
  return (
    <Section title="Categories" source="GET /analytics/category-performance" query={report}>
      {(r) => {
        const money = (v: number) => formatMoney(v, r.currency);
        const sorted = [...r.categories].sort((a, b) => b.revenue - a.revenue);
        return (
          <>
            <p>{formatPeriod(r.period)}.</p>
            <BarChart
              label={`Revenue by category, ${formatPeriod(r.period)}`}
              bars={sorted.map((c) => ({ label: c.name, value: c.revenue }))}
              formatValue={(v) => money(v).replace(/\.\d+$/, "")}
            />
            <DataTable
              caption="Revenue, margin and growth per category"
              rows={sorted}
              rowKey={(c) => c.categoryId}
              empty="No sales in this period."
              columns={[
                { header: "Category", cell: (c) => c.name, sort: (c) => c.name },
                { header: "Revenue", cell: (c) => money(c.revenue), sort: (c) => c.revenue, numeric: true },
                { header: "Gross margin", cell: (c) => money(c.grossMargin), sort: (c) => c.grossMargin, numeric: true },
                { header: "Margin", cell: (c) => formatPct(c.marginPct), sort: (c) => c.marginPct, numeric: true },
                { header: "Growth", cell: (c) => formatChangePct(c.growthPct), sort: (c) => c.growthPct, numeric: true },
                {
                  header: "Share",
                  cell: (c) => (c.revenueSharePct !== undefined ? formatPct(c.revenueSharePct) : "—"),
                  sort: (c) => c.revenueSharePct,
                  numeric: true,
                },
              ]}
            />
          </>
        );
      }}
    </Section>
  );
}

function Cohorts() {
  const report = useApiGet("/analytics/cohorts", { query: { months: 12 } });
  return (
    <Section title="Retention cohorts" source="GET /analytics/cohorts" query={report}>
      {(r) => {
        const width = Math.max(0, ...r.cohorts.map((c) => c.retention.length));
        return (
          <>
            <p>
              Share of each month&apos;s new customers who ordered again n months later ({formatPeriod(r.period)}).
            </p>
            <Heatmap
              label={`Retention of ${r.cohorts.length} monthly cohorts over ${width} months`}
              columns={Array.from({ length: width }, (_, i) => `M${i}`)}
              rows={r.cohorts.map((c) => ({
                label: c.cohort,
                values: Array.from({ length: width }, (_, i) => c.retention[i] ?? null),
              }))}
              formatValue={(v) => `${Math.round(v * 100)}%`}
              max={Math.max(0.0001, ...r.cohorts.flatMap((c) => c.retention.slice(1)))}
            />
            <DataTable
              caption="Cohort sizes"
              rows={r.cohorts}
              rowKey={(c) => c.cohort}
              pageSize={12}
              empty="No cohorts in this period."
              columns={[
                { header: "Cohort", cell: (c) => c.cohort, sort: (c) => c.cohort },
                { header: "New customers", cell: (c) => formatNumber(c.size), sort: (c) => c.size, numeric: true },
                {
                  header: "Month 1",
                  cell: (c) => (c.retention[1] !== undefined ? formatPct(c.retention[1] * 100) : "—"),
                  sort: (c) => c.retention[1],
                  numeric: true,
                },
              ]}
            />
          </>
        );
      }}
    </Section>
  );
}

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

const INSIGHTS_SHOWN = 8;

function Insights() {
  const insights = useApiGet("/analytics/insights", { query: { limit: 50 } });
  const [all, setAll] = useState(false);
  return (
    <Section title="Insights" source="GET /analytics/insights" query={insights}>
      {(page) =>
        page.items.length === 0 ? (
          <p>Nothing notable in this period.</p>
        ) : (
          <>
          <ul className="insight-list">
            {[...page.items]
              .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.date.localeCompare(a.date))
              .slice(0, all ? undefined : INSIGHTS_SHOWN)
              .map((i) => (
                <li key={i.insightId} className={`insight insight-${i.severity}`}>
                  <p className="insight-title">
                    <span className="badge">{i.severity}</span> {i.title}
                  </p>
                  <p className="insight-meta">
                    {formatDate(i.date)} · {i.metric}
                    {i.dimensionValue ? ` · ${i.dimension}: ${i.dimensionValue}` : ""}
                    {i.value !== undefined && ` · ${formatNumber(i.value, 2)}`}
                    {i.expected !== undefined && ` vs ${formatNumber(i.expected, 2)} expected`}
                    {i.changePct !== undefined && ` (${formatChangePct(i.changePct)})`}
                  </p>
                  {i.description && <p>{i.description}</p>}
                </li>
              ))}
          </ul>
          {page.items.length > INSIGHTS_SHOWN && (
            <button type="button" className="button-secondary" onClick={() => setAll((a) => !a)}>
              {all ? "Show the first " + INSIGHTS_SHOWN : `Show all ${page.items.length} insights`}
            </button>
          )}
          </>
        )
      }
    </Section>
  );
}
