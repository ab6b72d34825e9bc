import { formatMoney, formatNumber, formatPeriod } from "../components/format";
import { ChangeKpiCard } from "./ChangeKpiCard";
import { ServiceArea } from "./ServiceArea";

const count = (value: number) => formatNumber(value);

/** GET /analytics/kpis (analytics-service). */
export default function AnalyticsPage() {
  return (
    <ServiceArea area="/analytics" get="/analytics/kpis">
      {(report) => {
        const money = (value: number) => formatMoney(value, report.currency);
        return (
          <>
            <p>
              {formatPeriod(report.period)} (previous: {formatPeriod(report.previousPeriod)})
            </p>
            <div className="kpi-grid">
              <ChangeKpiCard label="Revenue" kpi={report.revenue} format={money} />
              <ChangeKpiCard label="Orders" kpi={report.orders} format={count} />
              <ChangeKpiCard label="Average order value" kpi={report.averageOrderValue} format={money} />
              <ChangeKpiCard label="Active customers" kpi={report.activeCustomers} format={count} />
            </div>
          </>
        );
      }}
    </ServiceArea>
  );
}
