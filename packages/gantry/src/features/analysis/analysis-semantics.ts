// How measurements become a verdict, as in Argo Rollouts' AnalysisRun, as pure
// functions over stored measurements (docs/analysis.md states the rules):
//
// - A measurement is judged by the metric's conditions (measurementPhase).
// - A metric is judged by its measurements and limits (metricPhase).
// - An analysis is judged by its metrics (runPhase).
// - nextMeasurementDue says when a metric wants its next measurement.
//
// Nothing here reads a clock or a database: the runner stores each
// measurement before it acts on it and calls these with what it stored, so a
// restarted process reaches the same verdict from the same rows.

import { formatDuration } from '../../shared/duration.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';
import type { CompiledMetric } from './analysis-template-spec.js';
import {
  describeValue,
  evaluateCondition,
  ExpressionEvaluationError,
  formatNumber,
  numericValue,
  type ArgValue,
} from './expression/expression-evaluator.js';
import type { Expression } from './expression/expression-parser.js';

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export type AnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface Measurement {
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601. */
  finishedAt: string;
  /** What the provider returned, made storable (see storableValue); absent for Error. */
  value?: unknown;
  phase: MeasurementPhase;
  /** Why the measurement has its phase; for Error, what went wrong. */
  message?: string;
}

export type MetricArgs = Readonly<Record<string, ArgValue>>;

/** Without an interval, a measurement that errored is retried after this long (Argo Rollouts' default). */
export const ERROR_RETRY_INTERVAL_MS = 10_000;

/** A stored value larger than this (as JSON) is replaced by its description. */
const MAX_STORED_VALUE_CHARS = 4096;

// ---------------------------------------------------------------------------
// One measurement.

/**
 * The phase of one measurement, by Argo Rollouts' rules:
 * - a condition that cannot be evaluated: Error;
 * - no conditions: Successful;
 * - only successCondition: true → Successful, false → Failed;
 * - only failureCondition: true → Failed, false → Successful;
 * - both: failureCondition true → Failed (whatever successCondition says),
 *   else successCondition true → Successful, else Inconclusive.
 */
export function measurementPhase(
  metric: CompiledMetric,
  value: unknown,
  args: MetricArgs = {},
): { phase: MeasurementPhase; message: string } {
  const shown = formatValue(value);
  let success: boolean | undefined;
  let failure: boolean | undefined;
  try {
    if (metric.successExpression) success = evaluate(metric.successExpression, value, args);
    if (metric.failureExpression) failure = evaluate(metric.failureExpression, value, args);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) {
      return { phase: 'Error', message: `${shown}: ${error.message}` };
    }
    throw error;
  }
  const nan = containsNaN(value)
    ? '; the value is NaN (no data): write isNaN(...) in a condition to say what no data means'
    : '';
  const successText = metric.successCondition;
  const failureText = metric.failureCondition;
  if (success === undefined && failure === undefined) {
    return {
      phase: 'Successful',
      message: `${shown} (no conditions: a measurement without an error succeeds)`,
    };
  }
  if (failure === true) {
    return { phase: 'Failed', message: `${shown} meets the failure condition ${failureText}${nan}` };
  }
  if (success === true) {
    return { phase: 'Successful', message: `${shown} meets ${successText}` };
  }
  if (success === false && failure === undefined) {
    return { phase: 'Failed', message: `${shown} does not meet ${successText}${nan}` };
  }
  if (success === undefined) {
    return { phase: 'Successful', message: `${shown} does not meet the failure condition ${failureText}` };
  }
  return {
    phase: 'Inconclusive',
    message: `${shown} meets neither ${successText} nor the failure condition ${failureText}${nan}`,
  };
}

function evaluate(expression: Expression, value: unknown, args: MetricArgs): boolean {
  return evaluateCondition(expression, { result: value, args });
}

/** A judged measurement, ready to store. */
export function measurementOf(
  metric: CompiledMetric,
  value: unknown,
  args: MetricArgs,
  times: { startedAt: Date; finishedAt: Date },
): Measurement {
  const { phase, message } = measurementPhase(metric, value, args);
  return {
    startedAt: times.startedAt.toISOString(),
    finishedAt: times.finishedAt.toISOString(),
    value: storableValue(value),
    phase,
    message,
  };
}

/** The measurement when the provider failed: phase Error, the error's message (credentials redacted). */
export function errorMeasurement(error: unknown, times: { startedAt: Date; finishedAt: Date }): Measurement {
  return {
    startedAt: times.startedAt.toISOString(),
    finishedAt: times.finishedAt.toISOString(),
    phase: 'Error',
    message: redactText(errorMessage(error)),
  };
}

/**
 * A value that survives JSON: NaN and ±Infinity become "NaN", "+Inf" and
 * "-Inf" (JSON would turn them into null), which conditions read as the same
 * numbers; a value larger than 4 KiB as JSON is replaced by its description.
 */
export function storableValue(value: unknown): unknown {
  const replaced = replaceSpecialNumbers(value, 0);
  let json: string | undefined;
  try {
    json = JSON.stringify(replaced);
  } catch {
    return describeValue(value);
  }
  if (json === undefined) return undefined;
  return json.length > MAX_STORED_VALUE_CHARS ? `${describeValue(value)} (too large to keep)` : replaced;
}

function replaceSpecialNumbers(value: unknown, depth: number): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : formatNumber(value);
  if (depth > 20) return value;
  if (Array.isArray(value)) return value.map((item) => replaceSpecialNumbers(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      copy[key] = replaceSpecialNumbers((value as Record<string, unknown>)[key], depth + 1);
    }
    return copy;
  }
  return value;
}

function containsNaN(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((item) => Number.isNaN(numericValue(item)));
  return Number.isNaN(numericValue(value));
}

// ---------------------------------------------------------------------------
// One metric.

export interface MeasurementTally {
  /** Measurements that count towards `count`: every phase but Error. */
  taken: number;
  successful: number;
  failed: number;
  inconclusive: number;
  errors: number;
  /** Errors at the end of the list, uninterrupted. */
  consecutiveErrors: number;
}

export function tallyMeasurements(measurements: readonly Measurement[]): MeasurementTally {
  const tally: MeasurementTally = {
    taken: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    errors: 0,
    consecutiveErrors: 0,
  };
  for (const measurement of measurements) {
    switch (measurement.phase) {
      case 'Successful':
        tally.successful++;
        break;
      case 'Failed':
        tally.failed++;
        break;
      case 'Inconclusive':
        tally.inconclusive++;
        break;
      case 'Error':
        tally.errors++;
        tally.consecutiveErrors++;
        continue;
    }
    tally.taken++;
    tally.consecutiveErrors = 0;
  }
  return tally;
}

export interface MetricOptions {
  /**
   * The analysis is being stopped (another metric decided it, or someone
   * stopped it): a metric that has not failed counts as Successful, as in
   * Argo Rollouts' termination.
   */
  stopped?: boolean;
}

/** Whether a phase is final. */
export function isCompleted(phase: AnalysisPhase): boolean {
  return phase !== 'Pending' && phase !== 'Running';
}

/**
 * The phase of a metric, checked in this order (Argo Rollouts' order):
 * 1. no measurement yet: Pending (Successful when stopped);
 * 2. failed > failureLimit: Failed;
 * 3. inconclusive > inconclusiveLimit: Inconclusive;
 * 4. errors in a row > consecutiveErrorLimit: Error;
 * 5. measurements other than errors >= the effective count: Successful;
 * 6. stopped: Successful; otherwise Running.
 */
export function metricPhase(
  metric: CompiledMetric,
  measurements: readonly Measurement[],
  options: MetricOptions = {},
): AnalysisPhase {
  if (measurements.length === 0) return options.stopped ? 'Successful' : 'Pending';
  const tally = tallyMeasurements(measurements);
  if (tally.failed > metric.failureLimit) return 'Failed';
  if (tally.inconclusive > metric.inconclusiveLimit) return 'Inconclusive';
  if (tally.consecutiveErrors > metric.consecutiveErrorLimit) return 'Error';
  if (metric.effectiveCount !== undefined && tally.taken >= metric.effectiveCount) return 'Successful';
  return options.stopped ? 'Successful' : 'Running';
}

/**
 * When the metric's next measurement is due, or undefined when the metric is
 * complete: the first at startedAt + initialDelay; each next one an interval
 * after the previous one finished; without an interval only a retry after an
 * error is due, 10s after it.
 */
export function nextMeasurementDue(
  metric: CompiledMetric,
  measurements: readonly Measurement[],
  startedAt: Date,
  options: MetricOptions = {},
): Date | undefined {
  if (isCompleted(metricPhase(metric, measurements, options))) return undefined;
  const last = measurements.at(-1);
  if (last === undefined) return new Date(startedAt.getTime() + metric.initialDelay.ms);
  const interval = metric.interval?.ms ?? (last.phase === 'Error' ? ERROR_RETRY_INTERVAL_MS : undefined);
  if (interval === undefined) return undefined;
  return new Date(Date.parse(last.finishedAt) + interval);
}

// ---------------------------------------------------------------------------
// The analysis.

/** Completed phases from best to worst, as Argo Rollouts orders them. */
const WORST_LAST: readonly AnalysisPhase[] = [
  'Successful',
  'Running',
  'Pending',
  'Inconclusive',
  'Error',
  'Failed',
];

/** The worse of two phases: Failed > Error > Inconclusive > Pending > Running > Successful. */
export function worsePhase(a: AnalysisPhase, b: AnalysisPhase): AnalysisPhase {
  return WORST_LAST.indexOf(b) > WORST_LAST.indexOf(a) ? b : a;
}

/**
 * The phase of an analysis from the phases of its metrics:
 * 1. any metric Failed, Error or Inconclusive: the worst of those
 *    (Failed > Error > Inconclusive); the analysis ends there, without waiting
 *    for the other metrics;
 * 2. every metric Successful: Successful;
 * 3. every metric Pending (or no metric): Pending;
 * 4. otherwise Running.
 */
export function runPhase(metricPhases: readonly AnalysisPhase[]): AnalysisPhase {
  const decided = metricPhases.filter(
    (phase) => phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive',
  );
  if (decided.length > 0) return decided.reduce<AnalysisPhase>(worsePhase, 'Inconclusive');
  if (metricPhases.length > 0 && metricPhases.every((phase) => phase === 'Successful')) return 'Successful';
  if (metricPhases.every((phase) => phase === 'Pending')) return 'Pending';
  return 'Running';
}

// ---------------------------------------------------------------------------
// Explanations.

/** Values as people read them: 0.31, NaN, [0.01, 0.02], "ok". */
export function formatValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') {
    const number = numericValue(value);
    if (number !== undefined && !Number.isFinite(number)) return formatNumber(number);
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) {
    if (value.length > 5)
      return `[${value.slice(0, 5).map(formatValue).join(', ')}, ... ${value.length} items]`;
    return `[${value.map(formatValue).join(', ')}]`;
  }
  if (value === undefined) return 'no value';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) return describeValue(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The last few values of measurements in a phase: `0.31, 0.28`. */
function valuesOf(measurements: readonly Measurement[], phase: MeasurementPhase): string {
  const matching = measurements.filter((measurement) => measurement.phase === phase);
  const shown = matching.slice(-5).map((measurement) => formatValue(measurement.value));
  return matching.length > 5 ? `..., ${shown.join(', ')}` : shown.join(', ');
}

/**
 * One sentence about a metric for people, e.g.
 * `error-rate failed: 2 of 3 measurements failed (limit 1): 0.31, 0.28 against result < 0.05`.
 */
export function explainMetric(
  metric: CompiledMetric,
  measurements: readonly Measurement[],
  phase: AnalysisPhase = metricPhase(metric, measurements),
): string {
  const tally = tallyMeasurements(measurements);
  const name = metric.name;
  const of = (count: number, verb: string) => `${count} of ${plural(tally.taken, 'measurement')} ${verb}`;
  switch (phase) {
    case 'Pending': {
      const delay =
        metric.initialDelay.ms > 0
          ? `; the first is due ${formatDuration(metric.initialDelay.ms)} after the start`
          : '';
      return `${name} has no measurement yet${delay}`;
    }
    case 'Failed': {
      const why =
        metric.failureCondition !== undefined
          ? `met the failure condition ${metric.failureCondition}`
          : `against ${metric.successCondition}`;
      return `${name} failed: ${of(tally.failed, 'failed')} (limit ${metric.failureLimit}): ${valuesOf(measurements, 'Failed')} ${why}`;
    }
    case 'Inconclusive':
      return `${name} is inconclusive: ${of(tally.inconclusive, `met neither ${metric.successCondition} nor ${metric.failureCondition}`)} (limit ${metric.inconclusiveLimit}): ${valuesOf(measurements, 'Inconclusive')}`;
    case 'Error': {
      const last = measurements.at(-1)?.message ?? 'no message';
      return `${name} errored: ${plural(tally.consecutiveErrors, 'measurement')} in a row could not be taken (limit ${metric.consecutiveErrorLimit}); the last: ${last}`;
    }
    case 'Successful': {
      if (tally.taken === 0) return `${name} passed: stopped before any measurement`;
      const against =
        metric.successCondition !== undefined
          ? ` against ${metric.successCondition}`
          : metric.failureCondition !== undefined
            ? ` against the failure condition ${metric.failureCondition}`
            : ' (no conditions)';
      return `${name} passed: ${of(tally.successful, 'succeeded')}${tolerated(metric, tally)}: ${valuesOf(measurements, 'Successful')}${against}`;
    }
    case 'Running': {
      const taken =
        metric.effectiveCount !== undefined
          ? `${tally.taken} of ${plural(metric.effectiveCount, 'measurement')} taken`
          : `${plural(tally.taken, 'measurement')} taken, measuring until the analysis stops`;
      const last = measurements.at(-1);
      const lastText =
        last === undefined
          ? ''
          : last.phase === 'Error'
            ? `; the last could not be taken: ${last.message ?? 'no message'}`
            : `; the last: ${formatValue(last.value)} (${last.phase.toLowerCase()})`;
      return `${name} is running: ${taken}${tolerated(metric, tally)}${lastText}`;
    }
  }
}

function tolerated(metric: CompiledMetric, tally: MeasurementTally): string {
  const parts: string[] = [];
  if (tally.failed > 0) parts.push(`${tally.failed} failed (limit ${metric.failureLimit})`);
  if (tally.inconclusive > 0)
    parts.push(`${tally.inconclusive} inconclusive (limit ${metric.inconclusiveLimit})`);
  if (tally.consecutiveErrors > 0) {
    parts.push(
      `${plural(tally.consecutiveErrors, 'error')} in a row (limit ${metric.consecutiveErrorLimit})`,
    );
  }
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}

export interface MetricResult {
  metric: CompiledMetric;
  measurements: readonly Measurement[];
}

/**
 * The phase of a whole analysis and why: the sentences of the metrics that
 * decided it (or of every metric, while it runs or when it passed).
 */
export function explainRun(
  results: readonly MetricResult[],
  options: MetricOptions = {},
): { phase: AnalysisPhase; message: string } {
  const phases = results.map((result) => metricPhase(result.metric, result.measurements, options));
  const phase = runPhase(phases);
  const decidedBySome = isCompleted(phase) && phase !== 'Successful';
  const message = results
    .map((result, index) => ({ result, phase: phases[index]! }))
    .filter((entry) => !decidedBySome || entry.phase === phase)
    .map((entry) => explainMetric(entry.result.metric, entry.result.measurements, entry.phase))
    .join('; ');
  return { phase, message: message || 'the analysis has no metrics' };
}
