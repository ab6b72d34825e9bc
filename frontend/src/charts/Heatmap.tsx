import { scaleBand } from "d3-scale";
import { WIDTH } from "./axis";

export interface HeatmapRow {
  label: string;
  /** one value per column; null: no value (e.g. a cohort's future months) */
  values: readonly (number | null)[];
}

interface Props {
  /** what the chart shows, for screen readers (role="img") */
  label: string;
  rows: readonly HeatmapRow[];
  columns: readonly string[];
  /** the value shown in a cell, and its tooltip */
  formatValue: (value: number) => string;
  /** the value of a full-strength cell (default: the largest value) */
  max?: number;
}

const ROW = 24;
const LABEL_WIDTH = 70;
const HEADER = 22;

/** A grid of cells shaded by value (e.g. cohort retention: a row per cohort, a column per month
 * since its first order). The shade is the cell's fill-opacity over one colour, so it follows
 * the colour scheme; the text switches colour on dark cells to stay readable. */
export function Heatmap({ label, rows, columns, formatValue, max }: Props) {
  if (rows.length === 0 || columns.length === 0) return <p className="chart-empty">No data to draw.</p>;
  const values = rows.flatMap((r) => r.values.filter((v): v is number => v !== null));
  const top = max ?? Math.max(...values, 0);
  const height = HEADER + rows.length * ROW;
  const x = scaleBand<number>()
    .domain(columns.map((_, i) => i))
    .range([LABEL_WIDTH, WIDTH])
    .padding(0.06);
  const y = scaleBand<number>()
    .domain(rows.map((_, i) => i))
    .range([HEADER, height])
    .padding(0.06);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label} className="chart-heatmap">
        {columns.map((c, j) => (
          <text key={c} className="chart-label" x={(x(j) ?? 0) + x.bandwidth() / 2} y={14} textAnchor="middle">
            {c}
          </text>
        ))}
        {rows.map((row, i) => (
          <g key={row.label}>
            <text className="chart-label" x={LABEL_WIDTH - 6} y={(y(i) ?? 0) + y.bandwidth() / 2} dy="0.32em" textAnchor="end">
              {row.label}
            </text>
            {row.values.map((v, j) =>
              v === null ? null : (
                <g key={j}>
                  <rect
                    className="heat-cell"
                    x={x(j)}
                    y={y(i)}
                    width={x.bandwidth()}
                    height={y.bandwidth()}
                    fillOpacity={top > 0 ? Math.max(0.06, Math.min(1, v / top)) : 0.06}
                  >
                    <title>{`${row.label}, ${columns[j]}: ${formatValue(v)}`}</title>
                  </rect>
                  {x.bandwidth() >= 26 && (
                    <text
                      className={top > 0 && v / top > 0.55 ? "heat-text heat-text-strong" : "heat-text"}
                      x={(x(j) ?? 0) + x.bandwidth() / 2}
                      y={(y(i) ?? 0) + y.bandwidth() / 2}
                      dy="0.32em"
                      textAnchor="middle"
                    >
                      {formatValue(v)}
                    </text>
                  )}
                </g>
              ),
            )}
          </g>
        ))}
      </svg>
    </figure>
  );
}
