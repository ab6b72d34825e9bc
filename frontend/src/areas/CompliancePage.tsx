import type { Schemas } from "../api/client";
import { DataTable, type Column } from "../components/DataTable";
import { formatMoney, formatNumber, formatPeriod, formatRate } from "../components/format";
import { ServiceArea } from "./ServiceArea";

/** GET /compliance/fraud-statistics (compliance-guardian). */
export default function CompliancePage() {
  return (
    <ServiceArea area="/compliance" get="/compliance/fraud-statistics">
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
    </ServiceArea>
  );
}

type Row = Schemas["FraudBreakdown"];
const FIGURES: Column<Row>[] = [
  { header: "Payments", cell: (row) => formatNumber(row.transactions) },
  { header: "Fraudulent", cell: (row) => formatNumber(row.fraudulent) },
  { header: "Fraud rate", cell: (row) => formatRate(row.fraudRate) },
];

/** Fraud by one dimension; an empty breakdown is not drawn. */
function Breakdown({ caption, keyLabel, rows }: { caption: string; keyLabel: string; rows: Row[] }) {
  return (
    <DataTable
      caption={caption}
      columns={[{ header: keyLabel, cell: (row) => row.key }, ...FIGURES]}
      rows={rows}
      rowKey={(row) => row.key}
    />
  );
}
