import { area, line } from "d3-shape";
import { scaleLinear } from "d3-scale";
import { compact, dateTickFormat, dateTicks, formatFullDate, seriesClass, WIDTH, yScaleFor, type Margin } from "./axis";

export interface LinePoint {
  /** epoch ms (dateToX) on a date axis, or any number */
  x: number;
  y: number;
}

export interface LineSeries {
  name: string;
  points: readonly LinePoint[];
  dashed?: boolean;
}

export interface IntervalBand {
  name: string;
  points: readonly { x: number; lower: number; upper: number }[];
}

export interface ChartMark {
  x: number;
  y: number;
  /** read by screen readers and shown as the point's tooltip */
  label: string;
  kind?: "up" | "down" | "point";
}

interface Props {
  /** what the chart shows, for screen readers (role="img") */
  label: string;
  series: readonly LineSeries[];
  band?: IntervalBand;
  marks?: readonly ChartMark[];
  /** the x values are dates (epoch ms) or plain numbers (e.g. prices) */
  xType?: "date" | "number";
  formatY?: (value: number) => string;
  formatX?: (value: number) => string;
  height?: number;
  includeZero?: boolean;
}

const MARGIN: Margin = { top: 12, right: 18, bottom: 28, left: 60 };

/** Lines over a date or number axis, with an optional interval band (a forecast's prediction
 * interval, a min-max range) and marked points (anomalies, a recommended price). SVG drawn by
 * React; d3 only computes the scales and the path strings. */
export function LineChart({
  label,
  series,
  band,
  marks = [],
  xType = "date",
  formatY = compact,
  formatX,
  height = 260,
  includeZero = false,
}: Props) {
  const xs = [
    ...series.flatMap((s) => s.points.map((p) => p.x)),
    ...(band?.points.map((p) => p.x) ?? []),
    ...marks.map((m) => m.x),
  ];
  const ys = [
    ...series.flatMap((s) => s.points.map((p) => p.y)),
    ...(band?.points.flatMap((p) => [p.lower, p.upper]) ?? []),
    ...marks.map((m) => m.y),
  ];
  const legend = [...series.map((s) => s.name), ...(band ? [band.name] : [])];
  if (xs.length === 0) {
    return <p className="chart-empty">No data to draw.</p>;
  }
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const x = scaleLinear()
    .domain(x0 === x1 ? [x0 - 1, x1 + 1] : [x0, x1])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  if (xType === "number") x.nice(6);
  const y = yScaleFor(ys, [height - MARGIN.bottom, MARGIN.top], includeZero);
  const xFormat = formatX ?? (xType === "date" ? dateTickFormat(x1 - x0) : compact);
  const xTicks = xType === "date" ? dateTicks(x, 6) : x.ticks(6);
  const path = line<LinePoint>()
    .x((p) => x(p.x))
    .y((p) => y(p.y));
  const bandPath = area<{ x: number; lower: number; upper: number }>()
    .x((p) => x(p.x))
    .y0((p) => y(p.lower))
    .y1((p) => y(p.upper));
  const markText = (m: ChartMark) =>
    `${m.label}: ${xType === "date" ? formatFullDate(m.x) : xFormat(m.x)}, ${formatY(m.y)}`;

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={label} className="chart-line">
        <g className="chart-grid" aria-hidden="true">
          {y.ticks(5).map((t) => (
            <g key={`y${t}`}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(t)} y2={y(t)} />
              <text x={MARGIN.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
                {formatY(t)}
              </text>
            </g>
          ))}
          {xTicks.map((t) => (
            <text key={`x${t}`} x={x(t)} y={height - MARGIN.bottom + 18} textAnchor="middle">
              {xFormat(t)}
            </text>
          ))}
        </g>
        {band && band.points.length > 0 && <path className="chart-band" d={bandPath(band.points) ?? ""} />}
        {series.map((s, i) => (
          <path
            key={s.name}
            className={`chart-series ${seriesClass(i)}${s.dashed ? " chart-dashed" : ""}`}
            d={path(s.points) ?? ""}
            data-points={s.points.length}
          />
        ))}
        {series.map((s, i) =>
          s.points.length === 1 ? (
            <circle key={`${s.name}-dot`} className={`chart-dot ${seriesClass(i)}`} cx={x(s.points[0]!.x)} cy={y(s.points[0]!.y)} r={4} />
          ) : null,
        )}
        {marks.map((m, i) => (
          <circle
            key={`${m.x}-${i}`}
            className={`chart-mark chart-mark-${m.kind ?? "point"}`}
            cx={x(m.x)}
            cy={y(m.y)}
            r={5}
            aria-label={markText(m)}
          >
            <title>{markText(m)}</title>
          </circle>
        ))}
      </svg>
      {legend.length > 1 && (
        <figcaption className="chart-legend">
          {series.map((s, i) => (
            <span key={s.name} className="legend-item">
              <span className={`legend-swatch ${seriesClass(i)}${s.dashed ? " chart-dashed" : ""}`} aria-hidden="true" />
              {s.name}
            </span>
          ))}
          {band && (
            <span className="legend-item">
              <span className="legend-swatch legend-band" aria-hidden="true" />
              {band.name}
            </span>
          )}
        </figcaption>
      )}
    </figure>
  );
}
