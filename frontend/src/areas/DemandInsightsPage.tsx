import { DataTable } from "../components/DataTable";
import { formatMoney, formatNumber, formatPct, formatPeriod } from "../components/format";
import { ServiceArea } from "./ServiceArea";

/** GET /demand-insights/segments (demand-insights). */
export default function DemandInsightsPage() {
  return (
    <ServiceArea area="/demand-insights" get="/demand-insights/segments">
      {(report) => (
        <>
          <p>
            {formatNumber(report.customers)} customers with an order in {formatPeriod(report.period)}, in{" "}
            {report.k} segments.
          </p>
          <DataTable
            caption="Segments by monetary value, highest first (recency, frequency and spend are means)"
            rows={report.segments}
            rowKey={(s) => s.segmentId}
            empty="No customers to segment in this period."
            columns={[
              { header: "Segment", cell: (s) => s.label },
              { header: "Customers", cell: (s) => formatNumber(s.size) },
              { header: "Share", cell: (s) => (s.sharePct !== undefined ? formatPct(s.sharePct) : "—") },
              { header: "Days since last order", cell: (s) => formatNumber(s.profile.recencyDays, 1) },
              { header: "Orders", cell: (s) => formatNumber(s.profile.frequency, 1) },
              { header: "Spend", cell: (s) => formatMoney(s.profile.monetary, report.currency) },
            ]}
          />
        </>
      )}
    </ServiceArea>
  );
}
