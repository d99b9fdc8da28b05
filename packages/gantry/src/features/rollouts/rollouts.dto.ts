import { z } from 'zod';
import type { MetricSpec } from '../analysis/analysis-template-spec.js';
import { describeStep, type RolloutPlan } from './rollout-plan.js';
import type { RolloutDetail } from './rollouts.repository.js';

export const rolloutControlSchema = z.object({ reason: z.string().max(2000).optional() }).strict();
export type RolloutControlBody = z.infer<typeof rolloutControlSchema>;

const measurementDto = z.object({
  metric: z.string(),
  phase: z.string(),
  value: z.unknown(),
  message: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
});

/** What a metric is judged by, as the run froze it (for thresholds drawn on a chart). */
const analysisMetricDto = z.object({
  name: z.string(),
  successCondition: z.string().nullable(),
  failureCondition: z.string().nullable(),
  failureLimit: z.number(),
});

const analysisRunDto = z.object({
  id: z.string(),
  label: z.string(),
  phase: z.string(),
  message: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** The run's arguments (canary-version, stable-version, ...), which conditions may use. */
  args: z.record(z.string(), z.string()),
  metrics: z.array(analysisMetricDto),
  measurements: z.array(measurementDto),
});

export const rolloutDtoSchema = z.object({
  strategy: z.enum(['rolling', 'canary', 'blueGreen']),
  status: z.string(),
  /** 1-based; steps.length + 1 once every step is done. */
  step: z.number(),
  steps: z.array(z.string()),
  weight: z.number(),
  pausedUntil: z.string().nullable(),
  message: z.string().nullable(),
  /** Every step, weight and status change, oldest first: the traffic chart's points. */
  history: z.array(z.object({ at: z.string(), step: z.number(), weight: z.number(), status: z.string() })),
  analysis: z.array(analysisRunDto),
});
export type RolloutDto = z.infer<typeof rolloutDtoSchema>;

export function toRolloutDto(detail: RolloutDetail): RolloutDto {
  const { rollout } = detail;
  const plan: RolloutPlan = rollout.plan;
  return {
    strategy: rollout.strategy,
    status: rollout.status,
    step: rollout.stepIndex + 1,
    steps: plan.steps.map(describeStep),
    weight: rollout.weight,
    pausedUntil: rollout.pausedUntil?.toISOString() ?? null,
    message: rollout.message,
    history: rollout.history.map((entry) => ({
      at: entry.at,
      step: entry.stepIndex + 1,
      weight: entry.weight,
      status: entry.status,
    })),
    analysis: detail.analysis.map(({ run, measurements }) => ({
      id: run.id,
      label: run.label,
      phase: run.phase,
      message: run.message,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      args: run.args,
      metrics: (run.metrics as MetricSpec[]).map((metric) => ({
        name: metric.name,
        successCondition: metric.successCondition ?? null,
        failureCondition: metric.failureCondition ?? null,
        failureLimit: metric.failureLimit,
      })),
      measurements: measurements.map((measurement) => ({
        metric: measurement.metric,
        phase: measurement.phase,
        value: measurement.value,
        message: measurement.message,
        startedAt: measurement.startedAt.toISOString(),
        finishedAt: measurement.finishedAt.toISOString(),
      })),
    })),
  };
}
