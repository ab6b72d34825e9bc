import { formatPct } from "../components/format";
import type { Schemas } from "../api/client";

/** One KPI: its value, and its change vs the previous period. */
export function ChangeKpiCard({
  label,
  kpi,
  format,
}: {
  label: string;
  kpi: Schemas["ChangeKpi"];
  format: (value: number) => string;
}) {
  const direction = kpi.change > 0 ? "up" : kpi.change < 0 ? "down" : "flat";
  return (
    <div className="kpi">
      <p className="kpi-label">{label}</p>
      <p className="kpi-value">{format(kpi.value)}</p>
      <p className={`kpi-change kpi-${direction}`}>
        {kpi.changePct !== undefined ? formatPct(kpi.changePct, true) : "n/a"}{" "}
        <span className="kpi-previous">vs {format(kpi.previous)}</span>
      </p>
    </div>
  );
}
