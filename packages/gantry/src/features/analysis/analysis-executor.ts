import type { DatabaseHandle } from '../../platform/database/database.js';
import { errorMessage } from '../../shared/errors.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import type { AnalysisStepInput, AnalysisStepper, AnalysisVerdict } from '../rollouts/rollout-runner.js';
import {
  errorMeasurement,
  explainRun,
  isCompleted,
  measurementOf,
  nextMeasurementDue,
  type Measurement,
  type MetricResult,
} from './analysis-semantics.js';
import {
  compileAnalysisTemplate,
  resolveTemplateArgs,
  type CompiledMetric,
  type MetricSpec,
} from './analysis-template-spec.js';
import {
  findRunByLabel,
  insertMeasurement,
  insertRun,
  measurementsOfRun,
  updateRun,
  type AnalysisRunRow,
} from './analysis.repository.js';
import { conditionArgs, type MeasureContext, type MetricProvider } from './providers/metric-provider.js';

/**
 * Runs one analysis of a rollout a little at a time: each call takes the
 * measurements that are due, stores each as it was judged, and returns the
 * verdict so far with the time the next one is due. Everything it decides
 * from is stored (the run's frozen metrics, its start, the measurements), so
 * a restarted Gantry continues the same analysis on the same schedule.
 */
export class AnalysisExecutor implements AnalysisStepper {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly provider: MetricProvider,
  ) {}

  async step(input: AnalysisStepInput): Promise<AnalysisVerdict> {
    const { db } = this.database;
    const { promotion, analysis, versions } = input;
    let run = await findRunByLabel(db, promotion.id, analysis.label);
    if (!run) {
      const started = this.startRun(input);
      if ('error' in started) return { phase: 'Error', message: started.error };
      run = await insertRun(db, {
        id: uuidv7(),
        promotionId: promotion.id,
        label: analysis.label,
        metrics: started.metrics,
        args: started.args,
        phase: 'Running',
        startedAt: input.now,
      });
    }
    if (run.finishedAt) return { phase: verdictPhase(run.phase), message: run.message ?? run.phase };

    const metrics = compiledMetricsOf(run);
    const context: MeasureContext = {
      args: run.args,
      service: promotion.service,
      stage: promotion.stage,
      canaryVersion: versions.canary,
      ...(versions.stable ? { stableVersion: versions.stable } : {}),
      now: input.now,
    };
    const stored = await measurementsOfRun(db, run.id);
    const results: MetricResult[] = [];
    for (const metric of metrics) {
      const measurements: Measurement[] = stored
        .filter((row) => row.metric === metric.name)
        .map((row) => ({
          startedAt: row.startedAt.toISOString(),
          finishedAt: row.finishedAt.toISOString(),
          phase: row.phase as Measurement['phase'],
          ...(row.value !== null ? { value: row.value } : {}),
          ...(row.message !== null ? { message: row.message } : {}),
        }));
      const due = nextMeasurementDue(metric, measurements, run.startedAt);
      if (due && due.getTime() <= Date.now()) {
        const measurement = await this.measure(metric, context, input.signal);
        await insertMeasurement(db, {
          runId: run.id,
          metric: metric.name,
          phase: measurement.phase,
          value: measurement.value ?? null,
          message: measurement.message ?? null,
          startedAt: new Date(measurement.startedAt),
          finishedAt: new Date(measurement.finishedAt),
        });
        measurements.push(measurement);
      }
      results.push({ metric, measurements });
    }

    const { phase, message } = explainRun(results);
    const label = `${analysis.label} analysis`;
    if (isCompleted(phase)) {
      await updateRun(db, run.id, { phase, message, finishedAt: new Date() });
      return { phase: verdictPhase(phase), message: `${label}: ${message}` };
    }
    const next = results
      .map((result) => nextMeasurementDue(result.metric, result.measurements, run.startedAt))
      .filter((at): at is Date => at !== undefined)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    return { phase: 'Running', message: `${label}: ${message}`, ...(next ? { nextDueAt: next } : {}) };
  }

  /** The metrics and arguments of a new run, from the templates of the promotion's pipeline revision. */
  private startRun(
    input: Pick<AnalysisStepInput, 'spec' | 'analysis'>,
  ): { metrics: MetricSpec[]; args: Record<string, string> } | { error: string } {
    const metrics: MetricSpec[] = [];
    const args: Record<string, string> = {};
    const supplied = Object.entries(input.analysis.args).map(([name, value]) => ({ name, value }));
    for (const name of input.analysis.templates) {
      const template = input.spec.analysisTemplates?.[name];
      if (!template) {
        return { error: `the analysis template ${name} is not in this promotion's pipeline revision` };
      }
      try {
        Object.assign(args, resolveTemplateArgs(template, supplied, `the analysis template ${name}`));
      } catch (error) {
        return { error: errorMessage(error) };
      }
      metrics.push(...template.metrics);
    }
    return { metrics, args };
  }

  private async measure(
    metric: CompiledMetric,
    context: MeasureContext,
    signal: AbortSignal,
  ): Promise<Measurement> {
    const startedAt = new Date();
    try {
      const value = await this.provider.measure(metric, context, signal);
      return measurementOf(metric, value, conditionArgs(context), { startedAt, finishedAt: new Date() });
    } catch (error) {
      return errorMeasurement(error, { startedAt, finishedAt: new Date() });
    }
  }
}

function compiledMetricsOf(run: AnalysisRunRow): CompiledMetric[] {
  const args = Object.entries(run.args).map(([name, value]) => ({ name, value }));
  return compileAnalysisTemplate({ args, metrics: run.metrics as MetricSpec[] }).metrics;
}

function verdictPhase(phase: string): AnalysisVerdict['phase'] {
  switch (phase) {
    case 'Successful':
    case 'Failed':
    case 'Inconclusive':
    case 'Error':
      return phase;
    default:
      return 'Running';
  }
}
