import { scaleBand } from "d3-scale";
import { compact, WIDTH, yScaleFor } from "./axis";

export interface Bar {
  label: string;
  value: number;
}

interface Props {
  /** what the chart shows, for screen readers (role="img") */
  label: string;
  bars: readonly Bar[];
  formatValue?: (value: number) => string;
  /** the viewBox width: smaller for a chart in half a row, so its text stays readable */
  width?: number;
}

const ROW = 26;
const LABEL_WIDTH = 170;
const VALUE_WIDTH = 80;

/** Horizontal bars, one per label (names read better across than under a bar), each with its
 * value written at its end; negative values grow left of the zero line. */
export function BarChart({ label, bars, formatValue = compact, width = WIDTH }: Props) {
  if (bars.length === 0) return <p className="chart-empty">No data to draw.</p>;
  const height = bars.length * ROW + 8;
  const band = scaleBand<number>()
    .domain(bars.map((_, i) => i))
    .range([4, height - 4])
    .padding(0.2);
  const x = yScaleFor(
    bars.map((b) => b.value),
    [LABEL_WIDTH, width - VALUE_WIDTH],
    true,
  );
  const zero = x(0);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} className="chart-bar">
        {bars.map((b, i) => {
          const y = band(i) ?? 0;
          const end = x(b.value);
          const left = Math.min(zero, end);
          return (
            <g key={`${b.label}-${i}`}>
              <text className="chart-label" x={LABEL_WIDTH - 8} y={y + band.bandwidth() / 2} dy="0.32em" textAnchor="end">
                {b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label}
              </text>
              <rect
                className={b.value < 0 ? "chart-bar-negative" : "chart-bar-positive"}
                x={left}
                y={y}
                width={Math.max(1, Math.abs(end - zero))}
                height={band.bandwidth()}
              >
                <title>{`${b.label}: ${formatValue(b.value)}`}</title>
              </rect>
              <text className="chart-value" x={Math.max(zero, end) + 6} y={y + band.bandwidth() / 2} dy="0.32em">
                {formatValue(b.value)}
              </text>
            </g>
          );
        })}
        <line className="chart-zero" x1={zero} x2={zero} y1={0} y2={height} />
      </svg>
    </figure>
  );
}
