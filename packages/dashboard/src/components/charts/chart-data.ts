// What a time chart shows, as plain data: the pages prepare it with pure
// functions, TimeChart draws it with uPlot, and the legend and the tables
// beside each chart read the same data. Times are Unix seconds (uPlot's unit).

/** A colour of the stylesheet, by its CSS variable's name without `--`: read when drawing, so light and dark both work. */
export type ChartColour =
  'chart-1' | 'chart-2' | 'ok-fg' | 'active-fg' | 'waiting-fg' | 'bad-fg' | 'neutral-fg' | 'fg-muted';

/** How a point looks, so colour is never the only difference between series. */
export type PointShape = 'circle' | 'cross' | 'triangle' | 'square' | 'diamond';

export interface ChartSeries {
  label: string;
  colour: ChartColour;
  /** `line`: joined points; `step`: holds each value until the next one; `points`: marks only. */
  style: 'line' | 'step' | 'points';
  /** The mark of a `points` series (default circle). */
  shape?: PointShape;
  /** One value per x; null where the series has no value. */
  values: (number | null)[];
}

/** A horizontal line across the chart, e.g. an analysis condition's threshold. */
export interface ChartThreshold {
  value: number;
  label: string;
  colour: ChartColour;
}

export interface ChartData {
  /** Unix seconds, ascending. */
  x: number[];
  series: ChartSeries[];
  thresholds?: ChartThreshold[];
  /** `data`: ticks on the x values themselves (e.g. each week's Monday), thinned to fit; default: evenly spaced. */
  xTicks?: 'auto' | 'data';
}

/**
 * How values read on the axis: `weight` 0–100 as %, `rate` 0–1 as %,
 * durations already divided into their unit (see durationScale).
 */
export type ValueKind = 'number' | 'count' | 'weight' | 'rate' | 'minutes' | 'hours' | 'days';

/** Unix seconds of an ISO time. */
export function toSeconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** A number with at most `digits` significant digits, without exponent for everyday sizes: 0.0317, 12.5, 1200. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 10 ** digits) return String(Math.round(value));
  if (magnitude < 1e-4) return value.toExponential(digits - 1);
  return String(Number(value.toPrecision(digits)));
}

export function formatValue(kind: ValueKind, value: number): string {
  switch (kind) {
    case 'weight':
      return `${formatNumber(value)} %`;
    case 'rate':
      return `${formatNumber(value * 100)} %`;
    case 'count':
      return Number.isInteger(value) ? String(value) : formatNumber(value);
    case 'minutes':
      return `${formatNumber(value)} min`;
    case 'hours':
      return `${formatNumber(value)} h`;
    case 'days':
      return `${formatNumber(value)} d`;
    case 'number':
      return formatNumber(value);
  }
}

/**
 * The unit a set of durations (in seconds) reads best in, so an axis says
 * "2 h" rather than "7200": minutes up to 2 h, hours up to 3 days, days above.
 */
export function durationScale(seconds: readonly (number | null)[]): {
  kind: 'minutes' | 'hours' | 'days';
  divisor: number;
} {
  const largest = Math.max(0, ...seconds.filter((value): value is number => value !== null));
  if (largest <= 2 * 3600) return { kind: 'minutes', divisor: 60 };
  if (largest <= 3 * 86400) return { kind: 'hours', divisor: 3600 };
  return { kind: 'days', divisor: 86400 };
}

/**
 * The y range to draw: the data and every threshold fit, with some room
 * above and below; fixed ends win; it never goes below zero for data that
 * does not (a rate or a weight below zero would only confuse).
 */
export function yRange(
  dataMin: number | null,
  dataMax: number | null,
  options: { thresholds?: readonly number[]; min?: number; max?: number } = {},
): [number, number] {
  const known = [dataMin, dataMax, ...(options.thresholds ?? [])].filter(
    (value): value is number => value !== null && Number.isFinite(value),
  );
  let low = options.min ?? (known.length ? Math.min(...known) : 0);
  let high = options.max ?? (known.length ? Math.max(...known) : 1);
  if (high < low) [low, high] = [high, low];
  const span = high - low || Math.abs(high) || 1;
  const pad = span * 0.1;
  if (options.min === undefined) low = low >= 0 && low - pad < 0 ? 0 : low - pad;
  if (options.max === undefined) high = high + pad;
  return [low, high];
}

/**
 * The x range to draw: the data with a little room on both sides, so the
 * first and last marks are not cut in half by the plot's edge.
 */
export function xRange(dataMin: number | null, dataMax: number | null): [number, number] {
  if (dataMin === null || dataMax === null) return [0, 1];
  const pad = dataMax > dataMin ? (dataMax - dataMin) * 0.03 : 30;
  return [dataMin - pad, dataMax + pad];
}

/** Time-axis tick spacings in seconds: whole seconds at least, so labels never repeat. */
export const TIME_INCREMENTS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
  1209600, 2592000, 7776000, 15552000, 31536000,
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Time-axis labels in UTC, as precise as the ticks' spacing needs:
 * `10:05:30` under a minute apart, `10:05` under a day, `7 Sep` beyond.
 */
export function timeTicks(splits: readonly number[], increment: number): string[] {
  return splits.map((seconds) => {
    const iso = new Date(seconds * 1000).toISOString();
    if (increment < 60) return iso.slice(11, 19);
    if (increment < 86400) return iso.slice(11, 16);
    return `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]}`;
  });
}

/** Every k-th of `values`, so that ticks stand at least `minGap` pixels apart across `width`. */
export function thinTicks(values: readonly number[], width: number, minGap: number): number[] {
  if (values.length === 0 || width <= 0) return [];
  const fit = Math.max(1, Math.floor(width / minGap));
  const every = Math.ceil(values.length / fit);
  return values.filter((_, index) => index % every === 0);
}

/** The columns uPlot draws: x first, then each series' values. */
export function alignedColumns(data: ChartData): [number[], ...(number | null)[][]] {
  return [data.x, ...data.series.map((series) => series.values)];
}
