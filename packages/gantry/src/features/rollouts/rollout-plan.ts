import type { AnalysisRef, StrategySpec } from '../pipelines/pipeline-spec.js';

// A stage's strategy compiled into the list of steps a rollout runs after the
// new version's replicas are up and healthy. Every strategy shares one runner:
//
//   rolling    switch → (promote)
//   canary     the configured setWeight / pause / analysis steps → (promote)
//   blueGreen  preview → pre-promotion analysis → [pause until promoted] →
//              switch → post-promotion analysis → keep the old set for
//              scaleDownDelay → (promote)
//
// "promote" is not a step: after the last one the new version becomes the
// stable one and the old replicas drain. Until then the old version keeps
// running, so a rollback is only a routing change: instant.

export interface AnalysisStep {
  /** Where it belongs, for people: "step 3", "pre-promotion", "background". */
  label: string;
  templates: string[];
  args: Record<string, string>;
}

export type RolloutPlanStep =
  | { kind: 'setWeight'; weight: number }
  /** No duration: waits until someone resumes the promotion. */
  | { kind: 'pause'; durationMs?: number; durationText?: string; reason?: string }
  | ({ kind: 'analysis' } & AnalysisStep)
  /** Blue-green: the new version answers on the preview port. */
  | { kind: 'preview' }
  /** Every request to the new version; the old one keeps running. */
  | { kind: 'switch' }
  /** Blue-green: how long the old version stays ready for an instant switch back. */
  | { kind: 'scaleDownDelay'; durationMs: number; durationText: string };

export interface RolloutPlan {
  strategy: StrategySpec['type'];
  steps: RolloutPlanStep[];
  /** Runs from the first step to the last; failing it rolls back at any step. */
  background?: AnalysisStep;
  stickiness?: { header?: string; cookie?: string };
  previewPort?: number;
}

export function compileRolloutPlan(strategy: StrategySpec): RolloutPlan {
  switch (strategy.type) {
    case 'rolling':
      return { strategy: 'rolling', steps: [{ kind: 'switch' }] };
    case 'canary': {
      const steps = strategy.steps.map((step, index): RolloutPlanStep => {
        if ('setWeight' in step) return { kind: 'setWeight', weight: step.setWeight };
        if ('pause' in step) {
          const duration = step.pause.duration;
          return duration
            ? { kind: 'pause', durationMs: duration.ms, durationText: duration.text }
            : { kind: 'pause', reason: `step ${index + 1} pauses until someone resumes the promotion` };
        }
        return { kind: 'analysis', ...analysisStep(`step ${index + 1}`, step.analysis) };
      });
      return {
        strategy: 'canary',
        steps,
        ...(strategy.backgroundAnalysis
          ? { background: analysisStep('background', strategy.backgroundAnalysis) }
          : {}),
        ...(strategy.stickiness ? { stickiness: strategy.stickiness } : {}),
      };
    }
    case 'blueGreen': {
      const steps: RolloutPlanStep[] = [{ kind: 'preview' }];
      if (strategy.prePromotionAnalysis) {
        steps.push({ kind: 'analysis', ...analysisStep('pre-promotion', strategy.prePromotionAnalysis) });
      }
      if (!strategy.autoPromote) {
        steps.push({
          kind: 'pause',
          reason: 'autoPromote is off: waiting for someone to promote the new version',
        });
      }
      steps.push({ kind: 'switch' });
      if (strategy.postPromotionAnalysis) {
        steps.push({ kind: 'analysis', ...analysisStep('post-promotion', strategy.postPromotionAnalysis) });
      }
      if (strategy.scaleDownDelay && strategy.scaleDownDelay.ms > 0) {
        steps.push({
          kind: 'scaleDownDelay',
          durationMs: strategy.scaleDownDelay.ms,
          durationText: strategy.scaleDownDelay.text,
        });
      }
      return {
        strategy: 'blueGreen',
        steps,
        ...(strategy.previewPort !== undefined ? { previewPort: strategy.previewPort } : {}),
      };
    }
  }
}

function analysisStep(label: string, ref: AnalysisRef): AnalysisStep {
  return {
    label,
    templates: ref.templates.map((template) => template.templateName),
    args: Object.fromEntries(ref.args.map((arg) => [arg.name, arg.value])),
  };
}

/** The weight the new version has once steps [0, stepIndex) have run. */
export function weightAfter(plan: RolloutPlan, stepIndex: number): number {
  let weight = 0;
  for (const step of plan.steps.slice(0, stepIndex)) {
    if (step.kind === 'setWeight') weight = step.weight;
    if (step.kind === 'switch') weight = 100;
  }
  return weight;
}

/** Whether the new version answers on the preview port once steps [0, stepIndex) have run. */
export function previewAfter(plan: RolloutPlan, stepIndex: number): boolean {
  return plan.steps.slice(0, stepIndex).some((step) => step.kind === 'preview');
}

/** One line per step, for `gantry promotion show` and the promotion's message. */
export function describeStep(step: RolloutPlanStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `set weight ${step.weight}%`;
    case 'pause':
      return step.durationText ? `pause ${step.durationText}` : 'pause until resumed';
    case 'analysis':
      return `${step.label} analysis (${step.templates.join(', ')})`;
    case 'preview':
      return 'start the preview';
    case 'switch':
      return 'switch all traffic to the new version';
    case 'scaleDownDelay':
      return `keep the old version for ${step.durationText}`;
  }
}
