/** The chart module: three SVG charts drawn by React over d3-scale and d3-shape. Imported only by
 * the areas that draw charts, so it (and d3) load with those areas' chunks, never on sign-in. */
export { BarChart, type Bar } from "./BarChart";
export { Heatmap, type HeatmapRow } from "./Heatmap";
export { LineChart, type ChartMark, type IntervalBand, type LinePoint, type LineSeries } from "./LineChart";
export { dateToX } from "./axis";
