/** What the three charts share: their frame, number and date ticks, and the palette classes. */
import { scaleLinear, type ScaleLinear } from "d3-scale";

/** Every chart draws in a fixed viewBox and scales to its container's width (CSS: .chart svg
 * { width: 100%; height: auto }), so it is responsive without measuring the DOM. */
export const WIDTH = 720;

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

const DAY_MS = 86_400_000;

/** "2025-03-11" -> epoch ms at UTC midnight (charts plot dates as numbers). */
export function dateToX(date: string): number {
  return Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
}

const SHORT = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const MONTH = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
const FULL = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

/** The tick label for a date axis spanning `spanMs`: days for short spans, months for long. */
export function dateTickFormat(spanMs: number): (x: number) => string {
  return spanMs > 120 * DAY_MS ? (x) => MONTH.format(x) : (x) => SHORT.format(x);
}

export function formatFullDate(x: number): string {
  return FULL.format(x);
}

/** Compact numbers for axes: 1.2k, 3.4M. */
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
export function compact(value: number): string {
  return COMPACT.format(value);
}

/** A y scale over `values`, padded to nice ticks; zero included when every value is positive
 * and the smallest is within 40 % of zero (so bars and totals are not exaggerated). */
export function yScaleFor(values: number[], range: [number, number], includeZero = false): ScaleLinear<number, number> {
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (includeZero || (lo >= 0 && lo < 0.4 * hi)) lo = Math.min(0, lo);
  if (lo === 0 && hi === 0) hi = 1; // nothing but zeros: a zero line at the start, not the middle
  if (lo === hi) {
    lo -= Math.abs(lo) * 0.1 || 1;
    hi += Math.abs(hi) * 0.1 || 1;
  }
  return scaleLinear().domain([lo, hi]).range(range).nice(5);
}

/** Ticks along a date axis: the scale's own ticks over milliseconds, snapped to whole days. */
export function dateTicks(scale: ScaleLinear<number, number>, count: number): number[] {
  const ticks = scale.ticks(count).map((t) => Math.round(t / DAY_MS) * DAY_MS);
  return [...new Set(ticks)];
}

/** The palette is in the stylesheet (.series-0 .. .series-5), so it follows the colour scheme. */
export function seriesClass(index: number): string {
  return `series-${index % 6}`;
}
