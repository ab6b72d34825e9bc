import { formatNumber, formatPct, formatPeriod } from "../components/format";
import { AreaPage } from "./AreaPage";

/** GET /market-intelligence/trends (market-intelligence). */
export default function MarketIntelligencePage() {
  return (
    <AreaPage
      area="/market-intelligence"
      operation="GET /market-intelligence/trends"
      queryKey={["market-intelligence", "trends"]}
      call={(client) => client.GET("/market-intelligence/trends")}
    >
      {(trends) => (
        <>
          <p>
            {formatPeriod(trends.period)}, measured on {trends.metric}.
          </p>
          {trends.categories.length === 0 ? (
            <p>No categories in this period.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>Trend and seasonality per category, strongest trend first</caption>
                <thead>
                  <tr>
                    <th scope="col">Category</th>
                    <th scope="col">Direction</th>
                    <th scope="col">Trend strength</th>
                    <th scope="col">Seasonal strength</th>
                    <th scope="col">Slope per month</th>
                    <th scope="col">Peak day</th>
                  </tr>
                </thead>
                <tbody>
                  {trends.categories.map((c) => (
                    <tr key={c.categoryId}>
                      <th scope="row">{c.name}</th>
                      <td>{c.direction}</td>
                      <td>{formatNumber(c.trendStrength, 2)}</td>
                      <td>{formatNumber(c.seasonalStrength, 2)}</td>
                      <td>{c.slopePctPerMonth !== undefined ? formatPct(c.slopePctPerMonth, true) : "—"}</td>
                      <td>{c.peakWeekday ?? "—"}</td>
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
