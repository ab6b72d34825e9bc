import { formatMoney, formatNumber, formatPeriod } from "../components/format";
import { AreaPage } from "./AreaPage";
import { ChangeKpiCard } from "./ChangeKpiCard";

/** GET /analytics/kpis (analytics-service). */
export default function AnalyticsPage() {
  return (
    <AreaPage
      area="/analytics"
      operation="GET /analytics/kpis"
      queryKey={["analytics", "kpis"]}
      call={(client) => client.GET("/analytics/kpis")}
    >
      {(report) => {
        const money = (value: number) => formatMoney(value, report.currency);
        return (
          <>
            <p>
              {formatPeriod(report.period)} (previous: {formatPeriod(report.previousPeriod)})
            </p>
            <div className="kpi-grid">
              <ChangeKpiCard label="Revenue" kpi={report.revenue} format={money} />
              <ChangeKpiCard label="Orders" kpi={report.orders} format={(v) => formatNumber(v)} />
              <ChangeKpiCard label="Average order value" kpi={report.averageOrderValue} format={money} />
              <ChangeKpiCard label="Active customers" kpi={report.activeCustomers} format={(v) => formatNumber(v)} />
            </div>
          </>
        );
      }}
    </AreaPage>
  );
}
