import { useState } from "react";
import type { Schemas } from "../api/client";
import { useApiGet, useApiPost } from "../api/hooks";
import { BarChart, dateToX, LineChart } from "../charts";
import { AreaPage } from "../components/AreaPage";
import { ApiForm } from "../components/ApiForm";
import { DataTable } from "../components/DataTable";
import { Field } from "../components/Field";
import { checks, SelectField, splitList, Toggle } from "../components/FormFields";
import { daysBefore, formatChangePct, formatDate, formatMoney, formatNumber, formatPct, formatPeriod } from "../components/format";
import { Section } from "../components/Section";
import { useApiForm } from "../components/useApiForm";

const CHART_REGIONS = 6;
const whole = (currency: string) => (v: number) => formatMoney(v, currency).replace(/\.\d+$/, "");

/** global-market-pulse's area: regions over time, market share and concentration, growth,
 * exchange rates, and the two analyses that take a request (prices across regions, where to grow). */
export default function GlobalMarketPage() {
  const [currency, setCurrency] = useState("USD");
  const rates = useApiGet("/global-market/currencies", { query: { base: currency } });
  const currencies = rates.data ? [rates.data.base, ...rates.data.rates.map((r) => r.currency).filter((c) => c !== rates.data.base)] : [currency];
  return (
    <AreaPage area="/global-market">
      <div className="panel panel-wide">
        <SelectField
          label="Show amounts in"
          value={currency}
          onChange={(e) => setCurrency(e.target.value)}
          options={[...new Set(currencies)].sort()}
        />
      </div>
      <RegionTrends currency={currency} />
      <MarketShare currency={currency} />
      <GrowthRanking currency={currency} />
      <Section title="Exchange rates" source="GET /global-market/currencies" query={rates}>
        {(r) => (
          <>
            <p>
              1 {r.base} in each currency, {formatDate(r.asOf)}.
            </p>
            <DataTable
              caption={`Exchange rates, base ${r.base}`}
              rows={r.rates}
              rowKey={(x) => x.currency}
              columns={[
                { header: "Currency", cell: (x) => x.currency, sort: (x) => x.currency },
                { header: `Per 1 ${r.base}`, cell: (x) => formatNumber(x.rate, 4), sort: (x) => x.rate, numeric: true },
                { header: "In USD", cell: (x) => formatNumber(x.rateToUsd, 4), sort: (x) => x.rateToUsd, numeric: true },
              ]}
            />
          </>
        )}
      </Section>
      <PriceComparison currency={currency} />
      <Opportunities />
    </AreaPage>
  );
}

function RegionTrends({ currency }: { currency: string }) {
  const [granularity, setGranularity] = useState<"week" | "month">("month");
  // Half a year of weeks or two years of months back from the data's last day, which the first
  // answer (the service's default period) tells.
  const [lastDay, setLastDay] = useState<string | null>(null);
  const span = lastDay ? { from: daysBefore(lastDay, granularity === "week" ? 182 : 730), to: lastDay } : {};
  const trends = useApiGet("/global-market/trends", { query: { granularity, currency, ...span } }, { enabled: !!lastDay });
  const latest = useApiGet("/global-market/trends", { query: { granularity: "month", currency } }, { enabled: !lastDay });
  if (latest.data && !lastDay) setLastDay(latest.data.period.to);
  return (
    <Section
      title="Sales by region"
      source="GET /global-market/trends"
      query={lastDay ? trends : latest}
      actions={
        <Toggle
          label="Granularity"
          value={granularity}
          onChange={setGranularity}
          options={[
            { value: "week", label: "Week" },
            { value: "month", label: "Month" },
          ]}
        />
      }
    >
      {(t) => {
        const regions = [...t.regions].sort((a, b) => b.revenue - a.revenue);
        const drawn = regions.slice(0, CHART_REGIONS);
        return (
          <>
            <p>
              {formatPeriod(t.period)}, amounts in {t.currency}
              {regions.length > CHART_REGIONS ? `; the chart shows the ${CHART_REGIONS} largest of ${regions.length} regions` : ""}.
            </p>
            <LineChart
              label={`Revenue by ${t.granularity} for the ${drawn.length} largest regions, ${formatPeriod(t.period)}`}
              series={drawn.map((r) => ({ name: r.region, points: r.points.map((p) => ({ x: dateToX(p.date), y: p.revenue })) }))}
              formatY={whole(t.currency)}
              includeZero
            />
            <DataTable
              caption="Regions by revenue"
              rows={regions}
              rowKey={(r) => r.region}
              empty="No sales in this period."
              columns={[
                { header: "Region", cell: (r) => r.region, sort: (r) => r.region },
                { header: "Revenue", cell: (r) => formatMoney(r.revenue, t.currency), sort: (r) => r.revenue, numeric: true },
                { header: "Orders", cell: (r) => formatNumber(r.orders), sort: (r) => r.orders, numeric: true },
                { header: "Growth", cell: (r) => formatChangePct(r.growthPct), sort: (r) => r.growthPct, numeric: true },
                {
                  header: "Trend per month",
                  cell: (r) => formatChangePct(r.trendSlopePctPerMonth),
                  sort: (r) => r.trendSlopePctPerMonth,
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

const HHI_WORDS = { unconcentrated: "unconcentrated", moderate: "moderately concentrated", high: "highly concentrated" };

function MarketShare({ currency }: { currency: string }) {
  const share = useApiGet("/global-market/market-share", { query: { currency } });
  return (
    <Section title="Market share" source="GET /global-market/market-share" query={share}>
      {(m) => {
        const money = (v: number) => formatMoney(v, m.currency);
        const breakdown = (caption: string, keyLabel: string, rows: Schemas["Breakdown"][]) => (
          <DataTable
            caption={caption}
            rows={[...rows].sort((a, b) => b.revenue - a.revenue)}
            rowKey={(r) => r.key}
            pageSize={10}
            columns={[
              { header: keyLabel, cell: (r) => r.label ?? r.key, sort: (r) => r.label ?? r.key },
              { header: "Revenue", cell: (r) => money(r.revenue), sort: (r) => r.revenue, numeric: true },
              { header: "Share", cell: (r) => (r.revenueSharePct !== undefined ? formatPct(r.revenueSharePct) : "—"), sort: (r) => r.revenueSharePct, numeric: true },
              { header: "Growth", cell: (r) => formatChangePct(r.growthPct), sort: (r) => r.growthPct, numeric: true },
            ]}
          />
        );
        return (
          <>
            <p>
              {formatPeriod(m.period)}: {money(m.totalRevenue)} in all.
            </p>
            <dl className="facts">
              <dt>HHI across regions</dt>
              <dd>{formatNumber(m.concentration.regionHhi)}</dd>
              <dt>HHI across categories</dt>
              <dd>{formatNumber(m.concentration.categoryHhi)}</dd>
              <dt>Concentration</dt>
              <dd>{HHI_WORDS[m.concentration.level]}</dd>
            </dl>
            <div className="split">
              {breakdown("Share by region", "Region", m.byRegion)}
              {breakdown("Share by category", "Category", m.byCategory)}
            </div>
          </>
        );
      }}
    </Section>
  );
}

function GrowthRanking({ currency }: { currency: string }) {
  const growth = useApiGet("/global-market/growth-rates", { query: { interval: "quarter", currency } });
  return (
    <Section title="Growth ranking" source="GET /global-market/growth-rates" query={growth}>
      {(g) => {
        const ranked = [...g.regions].sort((a, b) => b.cagrPct - a.cagrPct);
        return (
          <>
            <p>
              Compound annual growth by region, {formatPeriod(g.period)} (by {g.interval}).
            </p>
            <BarChart
              label={`Compound annual growth rate by region, highest first: ${ranked
                .slice(0, 3)
                .map((r) => `${r.region} ${formatPct(r.cagrPct, true)}`)
                .join(", ")}`}
              bars={ranked.map((r) => ({ label: r.region, value: r.cagrPct }))}
              formatValue={(v) => formatPct(v, true)}
            />
            <DataTable
              caption="Growth by region"
              rows={ranked}
              rowKey={(r) => r.region}
              pageSize={10}
              columns={[
                { header: "Region", cell: (r) => r.region, sort: (r) => r.region },
                { header: "CAGR", cell: (r) => formatPct(r.cagrPct, true), sort: (r) => r.cagrPct, numeric: true },
                { header: `Last ${g.interval}`, cell: (r) => formatChangePct(r.periodOverPeriodPct), sort: (r) => r.periodOverPeriodPct, numeric: true },
                { header: "First", cell: (r) => formatMoney(r.startRevenue, g.currency), sort: (r) => r.startRevenue, numeric: true },
                { header: "Last", cell: (r) => formatMoney(r.endRevenue, g.currency), sort: (r) => r.endRevenue, numeric: true },
              ]}
            />
          </>
        );
      }}
    </Section>
  );
}

function PriceComparison({ currency }: { currency: string }) {
  const compare = useApiPost("/global-market/price-comparison");
  const form = useApiForm({
    initial: { productIds: "P00001, P00002", regions: "", date: "" },
    check: (v) => ({
      productIds:
        splitList(v.productIds).length === 0
          ? "Give at least one product id."
          : splitList(v.productIds).find((id) => checks.id(id))
            ? `Not a product id: ${splitList(v.productIds).find((id) => checks.id(id))}`
            : undefined,
    }),
    submit: (v) =>
      compare.mutateAsync({
        productIds: splitList(v.productIds),
        currency,
        ...(regionList(v.regions).length ? { regions: regionList(v.regions) } : {}),
        ...(v.date ? { date: v.date } : {}),
      }),
  });
  return (
    <Section title="Price comparison" source="POST /global-market/price-comparison">
      <ApiForm form={{ ...form, mutation: compare }} submitLabel="Compare prices" pendingLabel="Comparing…">
        <div className="form-grid">
          <Field label="Product ids" {...form.field("productIds")} hint="Comma-separated, e.g. P00001, P00002." />
          <Field label="Regions (optional)" {...form.field("regions")} hint="Comma-separated region names." />
          <Field label="On date (optional)" type="date" {...form.field("date")} />
        </div>
      </ApiForm>
      {compare.data && (
        <>
          <p>
            Prices in {compare.data.currency} on {formatDate(compare.data.asOf)}
            {compare.data.notFound.length > 0 && `; not found: ${compare.data.notFound.join(", ")}`}.
          </p>
          {compare.data.products.map((p) => (
            <DataTable
              key={p.productId}
              caption={`${p.name ?? p.productId}: ${formatMoney(p.minPrice, compare.data.currency)} (${p.cheapestRegion ?? "—"}) to ${formatMoney(p.maxPrice, compare.data.currency)} (${p.mostExpensiveRegion ?? "—"}), spread ${formatPct(p.spreadPct)}`}
              rows={[...p.prices].sort((a, b) => a.price - b.price)}
              rowKey={(r) => `${r.region}-${r.country}`}
              pageSize={10}
              columns={[
                { header: "Country", cell: (r) => `${r.country} (${r.region})`, sort: (r) => r.country },
                { header: "Price", cell: (r) => formatMoney(r.price, compare.data!.currency), sort: (r) => r.price, numeric: true },
                { header: "Local price", cell: (r) => formatMoney(r.localPrice, r.localCurrency), sort: (r) => r.localPrice, numeric: true },
                { header: "Index", cell: (r) => (r.indexVsBase !== undefined ? formatNumber(r.indexVsBase, 2) : "—"), sort: (r) => r.indexVsBase, numeric: true },
              ]}
            />
          ))}
        </>
      )}
    </Section>
  );
}

/** region names hold spaces ("Western Europe"): the list is split on commas only */
const regionList = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

const WEIGHTS = ["growth", "size", "margin", "competition"] as const;

function Opportunities() {
  const score = useApiPost("/global-market/opportunities");
  const form = useApiForm({
    initial: { growth: "0.35", size: "0.25", margin: "0.2", competition: "0.2", limit: "20" },
    check: (v) => {
      const problems: Record<string, string | undefined> = Object.fromEntries(
        WEIGHTS.map((w) => [w, checks.number(v[w], { min: 0, max: 1, what: "A weight" })]),
      );
      if (!WEIGHTS.some((w) => problems[w]) && WEIGHTS.every((w) => Number(v[w]) === 0)) problems.growth = "At least one weight must be above 0.";
      problems.limit = checks.number(v.limit, { min: 1, max: 100, what: "The number of results" });
      return problems;
    },
    submit: (v) =>
      score.mutateAsync({
        weights: { growth: Number(v.growth), size: Number(v.size), margin: Number(v.margin), competition: Number(v.competition) },
        limit: Number(v.limit),
      }),
  });
  const apiField = (name: (typeof WEIGHTS)[number]) => {
    const f = form.field(name);
    return { ...f, errors: [...f.errors, ...(score.error?.fieldMessages(`weights.${name}`) ?? [])] };
  };
  return (
    <Section title="Opportunities" source="POST /global-market/opportunities">
      <ApiForm form={{ ...form, mutation: score }} submitLabel="Score opportunities" pendingLabel="Scoring…">
        <div className="form-grid">
          <Field label="Weight of growth" inputMode="decimal" {...apiField("growth")} />
          <Field label="Weight of size" inputMode="decimal" {...apiField("size")} />
          <Field label="Weight of margin" inputMode="decimal" {...apiField("margin")} />
          <Field label="Weight of low competition" inputMode="decimal" {...apiField("competition")} />
          <Field label="Results" inputMode="numeric" {...form.field("limit")} />
        </div>
      </ApiForm>
      {score.data && (
        <>
          <p>
            {formatPeriod(score.data.period)}, weights:{" "}
            {WEIGHTS.map((w) => `${w} ${formatNumber(score.data!.weights[w] ?? 0, 2)}`).join(", ")}.
          </p>
          <DataTable
            caption="Region and category opportunities, best first"
            rows={score.data.opportunities}
            rowKey={(o) => `${o.region}-${o.categoryId}`}
            pageSize={10}
            empty="No region and category to score."
            columns={[
              { header: "Rank", cell: (o) => o.rank, sort: (o) => o.rank, numeric: true },
              { header: "Region", cell: (o) => o.region, sort: (o) => o.region },
              { header: "Category", cell: (o) => o.category ?? o.categoryId, sort: (o) => o.category ?? o.categoryId },
              { header: "Score", cell: (o) => formatNumber(o.score, 1), sort: (o) => o.score, numeric: true },
              { header: "Growth", cell: (o) => formatChangePct(o.growthPct), sort: (o) => o.growthPct, numeric: true },
              { header: "Size", cell: (o) => (o.marketSize !== undefined ? formatMoney(o.marketSize) : "—"), sort: (o) => o.marketSize, numeric: true },
              { header: "Margin", cell: (o) => (o.marginPct !== undefined ? formatPct(o.marginPct) : "—"), sort: (o) => o.marginPct, numeric: true },
              { header: "Competition", cell: (o) => (o.competitionIndex !== undefined ? formatNumber(o.competitionIndex, 2) : "—"), sort: (o) => o.competitionIndex, numeric: true },
              {
                header: "Components (0–1)",
                cell: (o) =>
                  o.components ? WEIGHTS.map((w) => `${w} ${formatNumber(o.components![w], 2)}`).join(" · ") : "—",
              },
              { header: "Why", cell: (o) => o.drivers?.join("; ") ?? "" },
            ]}
          />
        </>
      )}
    </Section>
  );
}
