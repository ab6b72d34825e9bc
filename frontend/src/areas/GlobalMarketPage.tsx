import { formatMoney, formatNumber, formatPct, formatPeriod } from "../components/format";
import { AreaPage } from "./AreaPage";

/** GET /global-market/trends (global-market-pulse), by month. */
export default function GlobalMarketPage() {
  return (
    <AreaPage
      area="/global-market"
      operation="GET /global-market/trends"
      queryKey={["global-market", "trends", "month"]}
      call={(client) => client.GET("/global-market/trends", { params: { query: { granularity: "month" } } })}
    >
      {(trends) => (
        <>
          <p>
            {formatPeriod(trends.period)}, amounts in {trends.currency}.
          </p>
          {trends.regions.length === 0 ? (
            <p>No sales in this period.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>Regions by revenue</caption>
                <thead>
                  <tr>
                    <th scope="col">Region</th>
                    <th scope="col">Revenue</th>
                    <th scope="col">Orders</th>
                    <th scope="col">Growth</th>
                    <th scope="col">Trend per month</th>
                  </tr>
                </thead>
                <tbody>
                  {trends.regions.map((r) => (
                    <tr key={r.region}>
                      <th scope="row">{r.region}</th>
                      <td>{formatMoney(r.revenue, trends.currency)}</td>
                      <td>{formatNumber(r.orders)}</td>
                      <td>{r.growthPct !== undefined ? formatPct(r.growthPct, true) : "—"}</td>
                      <td>{r.trendSlopePctPerMonth !== undefined ? formatPct(r.trendSlopePctPerMonth, true) : "—"}</td>
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
