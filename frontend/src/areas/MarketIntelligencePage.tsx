import { DataTable } from "../components/DataTable";
import { formatChangePct, formatNumber, formatPeriod } from "../components/format";
import { ServiceArea } from "./ServiceArea";

/** GET /market-intelligence/trends (market-intelligence). */
export default function MarketIntelligencePage() {
  return (
    <ServiceArea area="/market-intelligence" get="/market-intelligence/trends">
      {(trends) => (
        <>
          <p>
            {formatPeriod(trends.period)}, measured on {trends.metric}.
          </p>
          <DataTable
            caption="Trend and seasonality per category, strongest trend first"
            rows={trends.categories}
            rowKey={(c) => c.categoryId}
            empty="No categories in this period."
            columns={[
              { header: "Category", cell: (c) => c.name },
              { header: "Direction", cell: (c) => c.direction },
              { header: "Trend strength", cell: (c) => formatNumber(c.trendStrength, 2) },
              { header: "Seasonal strength", cell: (c) => formatNumber(c.seasonalStrength, 2) },
              { header: "Slope per month", cell: (c) => formatChangePct(c.slopePctPerMonth) },
              { header: "Peak day", cell: (c) => c.peakWeekday ?? "—" },
            ]}
          />
        </>
      )}
    </ServiceArea>
  );
}
