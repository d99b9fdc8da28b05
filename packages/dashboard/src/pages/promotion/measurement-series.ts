import type { AnalysisRun } from '../../api/types';
import {
  formatNumber,
  toSeconds,
  type ChartColour,
  type ChartData,
  type ChartSeries,
  type ChartThreshold,
  type PointShape,
} from '../../components/charts/chart-data';
import { toneOf } from '../../components/phase';
import { parseThreshold, thresholdWords } from './threshold';

// An analysis metric's measurements as table rows and as chart points: one
// point per measurement at its finishedAt, one series per phase, each with
// its colour and its mark.

export type Measurement = AnalysisRun['measurements'][number];
export type AnalysisMetric = AnalysisRun['metrics'][number];

export interface MeasurementRow {
  at: string;
  phase: string;
  /** The value as measured. */
  value: unknown;
  /** The number to draw, when the value is one (or a list of exactly one). */
  number: number | undefined;
  /** The value as text for the table. */
  shown: string;
  message: string | null;
}

interface PhaseLook {
  colour: ChartColour;
  shape: PointShape;
}

/** Each measurement phase has a mark of its own; its colour is that of its badge. */
const SHAPES: Record<string, PointShape> = {
  Successful: 'circle',
  Failed: 'cross',
  Inconclusive: 'triangle',
  Error: 'square',
};

export function phaseLook(phase: string): PhaseLook {
  return { colour: `${toneOf(phase)}-fg`, shape: SHAPES[phase] ?? 'diamond' };
}

/**
 * The number a measured value stands for: a number, numeric text ("0.05"),
 * or a list holding exactly one of those (a Prometheus vector with one
 * series). NaN, infinities, empty or longer lists and objects are not drawn.
 */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  if (Array.isArray(value) && value.length === 1) return numericValue(value[0]);
  return undefined;
}

export function shownValue(value: unknown): string {
  if (value === null || value === undefined) return 'no value';
  if (typeof value === 'number') return formatNumber(value, 4);
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** The measurements of one metric, oldest first. */
export function measurementRows(metric: string, measurements: readonly Measurement[]): MeasurementRow[] {
  return measurements
    .filter((measurement) => measurement.metric === metric)
    .sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt))
    .map((measurement) => ({
      at: measurement.finishedAt,
      phase: measurement.phase,
      value: measurement.value,
      number: numericValue(measurement.value),
      shown: shownValue(measurement.value),
      message: measurement.message,
    }));
}

/** The threshold lines of a metric's conditions that are plain comparisons (arguments resolved). */
export function metricThresholds(
  metric: AnalysisMetric,
  args: Readonly<Record<string, string>>,
): ChartThreshold[] {
  const lines: ChartThreshold[] = [];
  const success = parseThreshold(metric.successCondition, args);
  if (success) {
    lines.push({
      value: success.value,
      colour: 'ok-fg',
      label: thresholdWords('passes', success, formatNumber(success.value, 4)),
    });
  }
  const failure = parseThreshold(metric.failureCondition, args);
  if (failure) {
    lines.push({
      value: failure.value,
      colour: 'bad-fg',
      label: thresholdWords('fails', failure, formatNumber(failure.value, 4)),
    });
  }
  return lines;
}

/**
 * The chart of a metric: its drawable measurements as points, one series
 * per phase (in a fixed order: Successful, Failed, Inconclusive, Error, then
 * any other), and its threshold lines.
 */
export function measurementChart(rows: readonly MeasurementRow[], thresholds: ChartThreshold[]): ChartData {
  const drawn = rows.filter((row): row is MeasurementRow & { number: number } => row.number !== undefined);
  const known = Object.keys(SHAPES);
  const phases = [...new Set(drawn.map((row) => row.phase))].sort(
    (a, b) => rank(known, a) - rank(known, b) || a.localeCompare(b),
  );
  const series: ChartSeries[] = phases.map((phase) => ({
    label: phase,
    style: 'points',
    ...phaseLook(phase),
    values: drawn.map((row) => (row.phase === phase ? row.number : null)),
  }));
  return { x: drawn.map((row) => toSeconds(row.at)), series, thresholds };
}

function rank(known: readonly string[], phase: string): number {
  const index = known.indexOf(phase);
  return index === -1 ? known.length : index;
}
