import { formatMoney, formatNumber, formatPct, formatPeriod } from "../components/format";
import { AreaPage } from "./AreaPage";

/** GET /demand-insights/segments (demand-insights). */
export default function DemandInsightsPage() {
  return (
    <AreaPage
      area="/demand-insights"
      operation="GET /demand-insights/segments"
      queryKey={["demand-insights", "segments"]}
      call={(client) => client.GET("/demand-insights/segments")}
    >
      {(report) => (
        <>
          <p>
            {formatNumber(report.customers)} customers with an order in {formatPeriod(report.period)}, in{" "}
            {report.k} segments.
          </p>
          {report.segments.length === 0 ? (
            <p>No customers to segment in this period.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>Segments by monetary value, highest first (recency, frequency and spend are means)</caption>
                <thead>
                  <tr>
                    <th scope="col">Segment</th>
                    <th scope="col">Customers</th>
                    <th scope="col">Share</th>
                    <th scope="col">Days since last order</th>
                    <th scope="col">Orders</th>
                    <th scope="col">Spend</th>
                  </tr>
                </thead>
                <tbody>
                  {report.segments.map((s) => (
                    <tr key={s.segmentId}>
                      <th scope="row">{s.label}</th>
                      <td>{formatNumber(s.size)}</td>
                      <td>{s.sharePct !== undefined ? formatPct(s.sharePct) : "—"}</td>
                      <td>{formatNumber(s.profile.recencyDays, 1)}</td>
                      <td>{formatNumber(s.profile.frequency, 1)}</td>
                      <td>{formatMoney(s.profile.monetary, report.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </AreaPage>
  );
}
