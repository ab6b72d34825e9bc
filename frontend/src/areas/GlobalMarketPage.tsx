import { DataTable } from "../components/DataTable";
import { formatChangePct, formatMoney, formatNumber, formatPeriod } from "../components/format";
import { ServiceArea } from "./ServiceArea";

/** GET /global-market/trends (global-market-pulse), by month. */
export default function GlobalMarketPage() {
  return (
    <ServiceArea area="/global-market" get="/global-market/trends" query={{ granularity: "month" }}>
      {(trends) => (
        <>
          <p>
            {formatPeriod(trends.period)}, amounts in {trends.currency}.
          </p>
          <DataTable
            caption="Regions by revenue"
            rows={trends.regions}
            rowKey={(r) => r.region}
            empty="No sales in this period."
            columns={[
              { header: "Region", cell: (r) => r.region },
              { header: "Revenue", cell: (r) => formatMoney(r.revenue, trends.currency) },
              { header: "Orders", cell: (r) => formatNumber(r.orders) },
              { header: "Growth", cell: (r) => formatChangePct(r.growthPct) },
              { header: "Trend per month", cell: (r) => formatChangePct(r.trendSlopePctPerMonth) },
            ]}
          />
        </>
      )}
    </ServiceArea>
  );
}
