import { NotFoundError } from '../../shared/errors.js';
import type { ApprovalRule, FreezeWindow, GateRules } from '../promotions/gate-evaluation.js';
import { activeFreeze } from './freeze-window.js';
import type { ServiceSpec, StageSpec, StrategySpec, TargetSpec } from './pipeline-spec.js';
import { downstreamOf, entryStages, topologicalOrder } from './stage-graph.js';

// What the promotion engine needs to know about one stage, read from a stored
// pipeline revision. The revision was validated when it was applied; these
// functions only reshape it for the gates and the target drivers.

export interface StagePolicy {
  name: string;
  requires: string[];
  promotion: 'auto' | 'manual';
  gates: GateRules;
  /** `required: 0` when the stage needs no approvals. */
  approvals: ApprovalRule;
  hasFreezeWindows: boolean;
  /** The freeze window holding the stage at `at`, if any. */
  activeFreeze(at: Date): FreezeWindow | undefined;
  target: TargetSpec;
  strategy: StrategySpec;
  /** Roll back on incidents; `windowMs` undefined means the configured default window. */
  rollbackOnIncident?: { windowMs?: number };
}

/** A stored revision's spec (JSON from the database) as the typed declaration it was validated as. */
export function asServiceSpec(spec: unknown): ServiceSpec {
  return spec as ServiceSpec;
}

export function stagePolicyOf(spec: unknown, stageName: string): StagePolicy {
  const service = asServiceSpec(spec);
  const stage = service.stages.find((candidate) => candidate.name === stageName);
  if (!stage) {
    throw new NotFoundError(
      `stage "${stageName}" is not in the pipeline of ${service.name}; its stages are ${stageNamesOf(spec).join(', ')}`,
    );
  }
  return policyOf(stage);
}

function policyOf(stage: StageSpec): StagePolicy {
  const { soak, ...gates } = stage.gates;
  return {
    name: stage.name,
    requires: stage.requires,
    promotion: stage.promotion,
    gates: { ...gates, ...(soak ? { soakMs: soak.ms } : {}) },
    approvals: stage.approvals ?? { required: 0, fourEyes: false },
    hasFreezeWindows: stage.freeze.length > 0,
    activeFreeze(at) {
      const occurrence = activeFreeze(stage.freeze, at);
      if (!occurrence) return undefined;
      return {
        start: occurrence.start,
        end: occurrence.end,
        cron: occurrence.window.cron,
        timeZone: occurrence.window.timeZone,
        reason: occurrence.window.reason,
      };
    },
    target: stage.target,
    strategy: stage.strategy,
    ...(stage.rollbackOnIncident
      ? {
          rollbackOnIncident: stage.rollbackOnIncident.window
            ? { windowMs: stage.rollbackOnIncident.window.ms }
            : {},
        }
      : {}),
  };
}

/** Stage names in promotion order (upstream before downstream). */
export function stageNamesOf(spec: unknown): string[] {
  return topologicalOrder(asServiceSpec(spec).stages).map((stage) => stage.name);
}

/** Where a new release enters the pipeline. */
export function entryStagesOf(spec: unknown): string[] {
  return entryStages(asServiceSpec(spec).stages).map((stage) => stage.name);
}

/** The stages that directly require `stage`. */
export function downstreamStagesOf(spec: unknown, stage: string): string[] {
  return downstreamOf(asServiceSpec(spec).stages, stage, { transitive: false }).map((next) => next.name);
}

/** The service's signing public key (PEM), resolved when the pipeline was applied. */
export function signingKeyOf(spec: unknown): string | undefined {
  return asServiceSpec(spec).signing?.publicKey;
}
