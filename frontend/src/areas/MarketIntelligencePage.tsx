import { useEffect, useState } from "react";
import type { Schemas } from "../api/client";
import { useApiGet, useApiPost } from "../api/hooks";
import { dateToX, LineChart, type ChartMark } from "../charts";
import { AreaPage } from "../components/AreaPage";
import { ApiForm } from "../components/ApiForm";
import { DataTable } from "../components/DataTable";
import { Field } from "../components/Field";
import { checks, SelectField, Toggle } from "../components/FormFields";
import { formatChangePct, formatDate, formatMoney, formatNumber, formatPct, formatPeriod } from "../components/format";
import { Answer, Section } from "../components/Section";
import { useApiForm } from "../components/useApiForm";

type Metric = Schemas["ForecastRequest"]["metric"];
export const MODEL_NAMES: Record<string, string> = {
  holt_winters: "Holt-Winters",
  seasonal_naive: "Seasonal naive",
  linear_trend: "Linear trend",
  auto: "Auto (best backtest)",
};
/** days of history drawn before the forecast at daily granularity (the whole history is there, but
 * two years of days squeeze the forecast into a sliver) */
const HISTORY_SHOWN = { day: 180, week: 104, month: 36 } as const;

/** market-intelligence's area: the forecast with its interval and model, the models side by side,
 * anomalies on the series, category trends and competitive pricing. */
export default function MarketIntelligencePage() {
  const [metric, setMetric] = useState<Metric>("revenue");
  return (
    <AreaPage area="/market-intelligence">
      <ForecastSection metric={metric} onMetric={setMetric} />
      <Anomalies metric={metric} />
      <CompetitivePricing />
      <CategoryTrends />
    </AreaPage>
  );
}

interface ForecastValues extends Record<string, string> {
  metric: string;
  scope: string;
  scopeId: string;
  granularity: string;
  horizon: string;
  model: string;
  confidenceLevel: string;
}

function toRequest(v: ForecastValues): Schemas["ForecastRequest"] {
  return {
    metric: v.metric as Metric,
    scope: v.scope as "all" | "category" | "product",
    ...(v.scope !== "all" ? { scopeId: v.scopeId.trim() } : {}),
    granularity: v.granularity as "day" | "week" | "month",
    horizon: Number(v.horizon),
    model: v.model as Schemas["ForecastRequest"]["model"],
    confidenceLevel: Number(v.confidenceLevel),
  };
}

function ForecastSection({ metric, onMetric }: { metric: Metric; onMetric: (m: Metric) => void }) {
  const forecast = useApiPost("/market-intelligence/forecast");
  const compare = useApiPost("/market-intelligence/compare-models");
  const anomalies = useApiGet("/market-intelligence/anomalies", { query: { metric, limit: 100 } });
  const [requestedModel, setRequestedModel] = useState("auto");
  const form = useApiForm<ForecastValues>({
    initial: { metric, scope: "all", scopeId: "", granularity: "day", horizon: "30", model: "auto", confidenceLevel: "0.95" },
    check: (v) => ({
      scopeId: v.scope === "all" ? undefined : checks.id(v.scopeId, v.scope === "category" ? "The category id" : "The product id"),
      horizon: checks.number(v.horizon, { min: 1, max: 365, what: "The horizon" }),
      confidenceLevel: checks.number(v.confidenceLevel, { min: 0.5, max: 0.99, what: "The confidence level" }),
    }),
    submit: async (v) => {
      const request = toRequest(v);
      onMetric(request.metric);
      setRequestedModel(v.model);
      const { horizon: _h, model: _m, confidenceLevel: _c, ...common } = request;
      compare.mutate({ ...common, holdout: v.granularity === "day" ? 28 : v.granularity === "week" ? 8 : 3 });
      return forecast.mutateAsync(request);
    },
  });
  // The page opens on the default forecast.
  const { onSubmit } = form;
  useEffect(() => {
    onSubmit({ preventDefault() {} } as React.FormEvent);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <Section title="Forecast" source="POST /market-intelligence/forecast">
      <ApiForm form={{ ...form, mutation: form.mutation }} submitLabel="Forecast" pendingLabel="Forecasting…">
        <div className="form-grid">
          <SelectField label="Metric" options={["revenue", "orders", "units"]} {...form.field("metric")} />
          <SelectField
            label="Scope"
            options={[
              { value: "all", label: "All sales" },
              { value: "category", label: "One category" },
              { value: "product", label: "One product" },
            ]}
            {...form.field("scope")}
          />
          {form.values.scope !== "all" && (
            <Field label={form.values.scope === "category" ? "Category id" : "Product id"} placeholder={form.values.scope === "category" ? "CAT01" : "P00001"} {...form.field("scopeId")} />
          )}
          <SelectField label="Granularity" options={["day", "week", "month"]} {...form.field("granularity")} />
          <Field label="Horizon (periods)" inputMode="numeric" {...form.field("horizon")} />
          <SelectField label="Model" options={Object.entries(MODEL_NAMES).map(([value, label]) => ({ value, label }))} {...form.field("model")} />
          <Field label="Confidence level" inputMode="decimal" {...form.field("confidenceLevel")} />
        </div>
      </ApiForm>
      {forecast.data && <ForecastView forecast={forecast.data} requestedModel={requestedModel} anomalies={anomalies.data?.items ?? []} />}
      <Answer data={compare.data} error={compare.error}>
        {(c) => (
          <DataTable
            caption={`Models compared on the last ${c.holdout} ${c.granularity}s held out (best: ${MODEL_NAMES[c.bestModel]})`}
            rows={c.models}
            rowKey={(m) => m.model}
            columns={[
              { header: "Model", cell: (m) => MODEL_NAMES[m.model] ?? m.model, sort: (m) => m.model },
              { header: "Rank", cell: (m) => m.rank, sort: (m) => m.rank, numeric: true },
              { header: "sMAPE", cell: (m) => formatPct(m.smape), sort: (m) => m.smape, numeric: true },
              { header: "MAE", cell: (m) => formatNumber(m.mae, 1), sort: (m) => m.mae, numeric: true },
              { header: "RMSE", cell: (m) => formatNumber(m.rmse, 1), sort: (m) => m.rmse, numeric: true },
              { header: "MAPE", cell: (m) => (m.mape !== undefined ? formatPct(m.mape) : "—"), sort: (m) => m.mape, numeric: true },
            ]}
          />
        )}
      </Answer>
    </Section>
  );
}

function ForecastView({
  forecast: f,
  requestedModel,
  anomalies,
}: {
  forecast: Schemas["Forecast"];
  requestedModel: string;
  anomalies: Schemas["Anomaly"][];
}) {
  const history = (f.history ?? []).slice(-HISTORY_SHOWN[f.granularity]);
  const format = f.metric === "revenue" ? (v: number) => formatMoney(v, f.currency ?? "USD").replace(/\.\d+$/, "") : (v: number) => formatNumber(v);
  const first = history[0]?.date;
  const last = history.at(-1)?.date;
  const marks: ChartMark[] =
    f.scope === "all" && f.granularity === "day" && first && last
      ? anomalies
          .filter((a) => a.metric === f.metric && !a.categoryId && !a.region && a.date >= first && a.date <= last)
          .map((a) => ({
            x: dateToX(a.date),
            y: a.actual,
            kind: a.direction === "spike" ? "up" : "down",
            label: `${a.direction === "spike" ? "Spike" : "Drop"}, expected ${format(a.expected)}`,
          }))
      : [];
  const total = f.points.reduce((s, p) => s + p.value, 0);
  const level = Math.round(f.confidenceLevel * 100);
  return (
    <div className="forecast">
      <p>
        <strong>{MODEL_NAMES[f.model]}</strong>
        {requestedModel === "auto" ? " (chosen by backtest)" : ""}: {format(total)} {f.metric} over the next {f.points.length} {f.granularity}s, with a{" "}
        {level}% prediction interval. Held-out accuracy: sMAPE {formatPct(f.metrics.smape)}, MAE {formatNumber(f.metrics.mae, 1)} over{" "}
        {f.metrics.holdoutPoints} points.
        {marks.length > 0 && ` ${marks.length} anomal${marks.length === 1 ? "y is" : "ies are"} marked on the history.`}
      </p>
      <LineChart
        label={`${f.metric} forecast by ${f.granularity} with ${MODEL_NAMES[f.model]}, ${f.points.length} points with a ${level}% interval, after ${history.length} points of history`}
        series={[
          { name: "History", points: history.map((p) => ({ x: dateToX(p.date), y: p.value })) },
          { name: `Forecast (${MODEL_NAMES[f.model]})`, points: f.points.map((p) => ({ x: dateToX(p.date), y: p.value })), dashed: true },
        ]}
        band={{ name: `${level}% interval`, points: f.points.map((p) => ({ x: dateToX(p.date), lower: p.lower, upper: p.upper })) }}
        marks={marks}
        formatY={format}
      />
    </div>
  );
}

function Anomalies({ metric }: { metric: Metric }) {
  const anomalies = useApiGet("/market-intelligence/anomalies", { query: { metric, limit: 100 } });
  return (
    <Section title="Anomalies" source="GET /market-intelligence/anomalies" query={anomalies}>
      {(page) => (
        <>
          {page.period && (
            <p>
              Days whose {metric} broke the expected pattern, {formatPeriod(page.period)}
              {page.threshold !== undefined && ` (|z| ≥ ${page.threshold})`}.
            </p>
          )}
          <DataTable
            caption={`Anomalies in ${metric}`}
            rows={page.items}
            rowKey={(a) => `${a.date}-${a.categoryId ?? ""}-${a.region ?? ""}`}
            pageSize={10}
            empty="No anomalies in this period."
            columns={[
              { header: "Date", cell: (a) => formatDate(a.date), sort: (a) => a.date },
              { header: "Direction", cell: (a) => a.direction, sort: (a) => a.direction },
              { header: "Actual", cell: (a) => formatNumber(a.actual, 1), sort: (a) => a.actual, numeric: true },
              { header: "Expected", cell: (a) => formatNumber(a.expected, 1), sort: (a) => a.expected, numeric: true },
              { header: "Deviation", cell: (a) => formatChangePct(a.deviationPct), sort: (a) => a.deviationPct, numeric: true },
              { header: "z", cell: (a) => formatNumber(a.zScore, 1), sort: (a) => Math.abs(a.zScore), numeric: true },
              { header: "Where", cell: (a) => a.region ?? a.categoryId ?? "All" },
            ]}
          />
        </>
      )}
    </Section>
  );
}

type Position = "all" | "below" | "at" | "above";

function CompetitivePricing() {
  const [position, setPosition] = useState<Position>("all");
  const [productId, setProductId] = useState<string | null>(null);
  const pricing = useApiGet("/market-intelligence/competitive-pricing", {
    query: { limit: 50, ...(position !== "all" ? { position } : {}) },
  });
  return (
    <Section
      title="Competitive pricing"
      source="GET /market-intelligence/competitive-pricing"
      query={pricing}
      actions={
        <Toggle
          label="Our price"
          value={position}
          onChange={setPosition}
          options={[
            { value: "all", label: "All" },
            { value: "below", label: "Below" },
            { value: "at", label: "At" },
            { value: "above", label: "Above" },
          ]}
        />
      }
    >
      {(page) => (
        <>
          {page.asOf && <p>Our price against the competitors&apos; on {formatDate(page.asOf)}; choose a product to see its history.</p>}
          <DataTable
            caption="Our prices against the competition"
            rows={page.items}
            rowKey={(p) => p.productId}
            pageSize={10}
            selected={productId ?? undefined}
            empty="No products match."
            columns={[
              {
                header: "Product",
                cell: (p) => (
                  <button type="button" className="link-button" onClick={() => setProductId(p.productId)}>
                    {p.name}
                  </button>
                ),
                sort: (p) => p.name,
              },
              { header: "Ours", cell: (p) => formatMoney(p.ourPrice, p.currency), sort: (p) => p.ourPrice, numeric: true },
              { header: "Competitors' average", cell: (p) => formatMoney(p.competitorAvg, p.currency), sort: (p) => p.competitorAvg, numeric: true },
              { header: "Index", cell: (p) => formatNumber(p.priceIndex, 2), sort: (p) => p.priceIndex, numeric: true },
              { header: "Position", cell: (p) => p.position, sort: (p) => p.position },
            ]}
          />
          {productId && <PricePosition productId={productId} />}
        </>
      )}
    </Section>
  );
}

function PricePosition({ productId }: { productId: string }) {
  const history = useApiGet("/market-intelligence/price-position/{productId}", { path: { productId } });
  return (
    <Section title="Price position over time" source={`GET /market-intelligence/price-position/${productId}`} query={history}>
      {(h) => {
        const money = (v: number) => formatMoney(v, h.currency);
        const withCompetitors = h.points.filter((p) => p.competitorMin !== undefined && p.competitorMax !== undefined);
        return (
          <>
            <p>
              {h.name}, {formatPeriod(h.period)}
              {h.current && `: now ${h.current.position} the competition (index ${formatNumber(h.current.priceIndex, 2)})`}.
            </p>
            <LineChart
              label={`Our price and the competitors' for ${h.name}, ${h.points.length} points`}
              series={[
                { name: "Our price", points: h.points.map((p) => ({ x: dateToX(p.date), y: p.ourPrice })) },
                {
                  name: "Competitors' average",
                  points: h.points.filter((p) => p.competitorAvg !== undefined).map((p) => ({ x: dateToX(p.date), y: p.competitorAvg! })),
                  dashed: true,
                },
              ]}
              band={{ name: "Competitors' range", points: withCompetitors.map((p) => ({ x: dateToX(p.date), lower: p.competitorMin!, upper: p.competitorMax! })) }}
              marks={h.points.filter((p) => p.isPromo).map((p) => ({ x: dateToX(p.date), y: p.ourPrice, label: "Promotion", kind: "point" }))}
              formatY={money}
            />
          </>
        );
      }}
    </Section>
  );
}

function CategoryTrends() {
  const trends = useApiGet("/market-intelligence/trends");
  return (
    <Section title="Category trends" source="GET /market-intelligence/trends" query={trends}>
      {(t) => (
        <>
          <p>
            {formatPeriod(t.period)}, measured on {t.metric}.
          </p>
          <DataTable
            caption="Trend and seasonality per category, strongest trend first"
            rows={t.categories}
            rowKey={(c) => c.categoryId}
            empty="No categories in this period."
            columns={[
              { header: "Category", cell: (c) => c.name, sort: (c) => c.name },
              { header: "Direction", cell: (c) => c.direction, sort: (c) => c.direction },
              { header: "Trend strength", cell: (c) => formatNumber(c.trendStrength, 2), sort: (c) => c.trendStrength, numeric: true },
              { header: "Seasonal strength", cell: (c) => formatNumber(c.seasonalStrength, 2), sort: (c) => c.seasonalStrength, numeric: true },
              { header: "Slope per month", cell: (c) => formatChangePct(c.slopePctPerMonth), sort: (c) => c.slopePctPerMonth, numeric: true },
              { header: "Peak day", cell: (c) => c.peakWeekday ?? "—" },
            ]}
          />
        </>
      )}
    </Section>
  );
}
