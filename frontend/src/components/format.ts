/** Number and date formats for the service pages (one locale, so figures read the same everywhere). */
const LOCALE = "en-US";

export function formatMoney(value: number, currency = "USD"): string {
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency }).format(value);
}

export function formatNumber(value: number, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits }).format(value);
}

/** a percentage given as a percent (12.5 -> "12.5%", signed: "+12.5%") */
export function formatPct(value: number, signed = false): string {
  const text = `${new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 }).format(Math.abs(value))}%`;
  if (value < 0) return `-${text}`;
  return signed && value > 0 ? `+${text}` : text;
}

/** a signed percentage, or "—" when the API left it out */
export function formatChangePct(value: number | undefined): string {
  return value !== undefined ? formatPct(value, true) : "—";
}

/** a fraction 0..1 as a percentage (0.0123 -> "1.23%") */
export function formatRate(value: number): string {
  return new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 2 }).format(value);
}

export function formatDate(value: string): string {
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(LOCALE, {
    dateStyle: "medium",
    ...(value.length === 10 ? { timeZone: "UTC" } : {}),
  }).format(date);
}

export function formatDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatPeriod(period: { from: string; to: string }): string {
  return `${formatDate(period.from)} – ${formatDate(period.to)}`;
}

/** the first day of the `days` days ending on `date` (ISO dates): daysBefore("2026-06-30", 30) is
 * "2026-06-01" */
export function daysBefore(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days + 1);
  return d.toISOString().slice(0, 10);
}
