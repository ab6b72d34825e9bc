import type { Schemas } from "../api/client";
import { formatMoney, formatNumber, formatPeriod, formatRate } from "../components/format";
import { AreaPage } from "./AreaPage";

/** GET /compliance/fraud-statistics (compliance-guardian). */
export default function CompliancePage() {
  return (
    <AreaPage
      area="/compliance"
      operation="GET /compliance/fraud-statistics"
      queryKey={["compliance", "fraud-statistics"]}
      call={(client) => client.GET("/compliance/fraud-statistics")}
    >
      {(stats) => (
        <>
          <p>{formatPeriod(stats.period)}</p>
          <dl className="facts">
            <dt>Payments</dt>
            <dd>{formatNumber(stats.transactions)}</dd>
            <dt>Confirmed fraud</dt>
            <dd>
              {formatNumber(stats.fraudulent)} ({formatRate(stats.fraudRate)})
            </dd>
            {stats.fraudAmountUsd !== undefined && (
              <>
                <dt>Fraud amount</dt>
                <dd>{formatMoney(stats.fraudAmountUsd)}</dd>
              </>
            )}
            {stats.chargebacks !== undefined && (
              <>
                <dt>Chargebacks</dt>
                <dd>
                  {formatNumber(stats.chargebacks)}
                  {stats.chargebackRate !== undefined && ` (${formatRate(stats.chargebackRate)})`}
                </dd>
              </>
            )}
          </dl>
          <Breakdown caption="By payment method" keyLabel="Method" rows={stats.byMethod} />
          <Breakdown caption="By billing country, highest rate first" keyLabel="Country" rows={stats.byCountry} />
          <Breakdown caption="By amount band (USD)" keyLabel="Band" rows={stats.byAmountBand} />
        </>
      )}
    </AreaPage>
  );
}

function Breakdown({
  caption,
  keyLabel,
  rows,
}: {
  caption: string;
  keyLabel: string;
  rows: Schemas["FraudBreakdown"][];
}) {
  if (rows.length === 0) return null;
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col">Payments</th>
            <th scope="col">Fraudulent</th>
            <th scope="col">Fraud rate</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.key}</th>
              <td>{formatNumber(row.transactions)}</td>
              <td>{formatNumber(row.fraudulent)}</td>
              <td>{formatRate(row.fraudRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
