import { NotFoundError } from '../../shared/errors.js';
import type { ApprovalRule, FreezeWindow, GateRules } from '../promotions/gate-evaluation.js';
import { activeFreeze } from './freeze-window.js';
import {
  PREVIEW_STAGE_NAME,
  previewDirectoryOf,
  type PreviewOptions,
  type ServiceSpec,
  type StageSpec,
  type StrategySpec,
  type TargetSpec,
} from './pipeline-spec.js';
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
  /** Set for a pull request's stage (`pr-<number>`), made from the service's preview stage. */
  preview?: { number: number; options: PreviewOptions };
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
  const previewNumber = PREVIEW_STAGE_NAME.exec(stageName)?.[1];
  if (!stage && service.preview && previewNumber !== undefined) {
    const template = service.preview.stage;
    return {
      ...policyOf({ ...template, name: stageName, target: previewTarget(template.target, stageName) }),
      preview: { number: Number(previewNumber), options: service.preview.options },
    };
  }
  if (!stage && service.preview?.stage.name === stageName) {
    throw new NotFoundError(
      `stage "${stageName}" of ${service.name} is the template of pull requests' previews: releases go into pr-<number>, which Gantry creates when a pull request opens`,
    );
  }
  if (!stage) {
    throw new NotFoundError(
      `stage "${stageName}" is not in the pipeline of ${service.name}; its stages are ${stageNamesOf(spec).join(', ')}`,
    );
  }
  return policyOf(stage);
}

/** A pull request's target: a gitops one edits the pull request's own overlay directory. */
function previewTarget(target: TargetSpec, stageName: string): TargetSpec {
  if (target.type !== 'gitops') return target;
  const previewDirectory = previewDirectoryOf(target.path, stageName);
  return {
    ...target,
    path: target.path.replace('{{stage}}', stageName),
    ...(previewDirectory ? { previewDirectory } : {}),
  };
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

/** The stages that directly require `stage`; none for a pull request's preview, which is outside the graph. */
export function downstreamStagesOf(spec: unknown, stage: string): string[] {
  const { stages } = asServiceSpec(spec);
  if (!stages.some((candidate) => candidate.name === stage)) return [];
  return downstreamOf(stages, stage, { transitive: false }).map((next) => next.name);
}

/** The service's signing public key (PEM), resolved when the pipeline was applied. */
export function signingKeyOf(spec: unknown): string | undefined {
  return asServiceSpec(spec).signing?.publicKey;
}

/** The service's preview stage (the template of `pr-<number>` stages), if it has one. */
export function previewStageOf(spec: unknown): StageSpec | undefined {
  return asServiceSpec(spec).preview?.stage;
}
