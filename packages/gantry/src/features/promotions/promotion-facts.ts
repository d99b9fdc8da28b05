import type { Executor } from '../../platform/database/database.js';
import { NotFoundError } from '../../shared/errors.js';
import { findRevision, findStageStatus } from '../pipelines/pipelines.repository.js';
import { stagePolicyOf, type StagePolicy } from '../pipelines/stage-policy.js';
import {
  evidenceOf,
  findReleaseById,
  type EvidenceRow,
  type Release,
} from '../releases/releases.repository.js';
import type {
  ApprovalRule,
  ApprovalState,
  EvidenceSummary,
  PromotionExplanationInput,
  UpstreamState,
} from './gate-evaluation.js';
import { decisionsOf, lastSuccessOfRelease } from './promotions.repository.js';

/** What a promotion (or a promotion someone is asking about) is judged on. */
export interface PromotionSubject {
  service: string;
  stage: string;
  releaseId: string;
  pipelineRevision: number;
  requestedBy: string;
  /** Absent when explaining a promotion that does not exist yet. */
  id?: string;
  freezeOverride?: { actor: string; reason: string } | null;
}

export interface PromotionFacts {
  release: Release;
  policy: StagePolicy;
  approvalRule: ApprovalRule;
  approvalState: ApprovalState;
  explanationInput: PromotionExplanationInput;
  /** The next moment the verdict can change by itself (a soak ends, a freeze lifts), if any. */
  nextChangeAt(now: Date): Date | undefined;
}

/** Reads every stored fact the gates, approvals and freeze windows of a stage look at. */
export async function loadPromotionFacts(
  executor: Executor,
  subject: PromotionSubject,
  now: Date,
): Promise<PromotionFacts> {
  const revision = await findRevision(executor, subject.service, subject.pipelineRevision);
  if (!revision) {
    throw new NotFoundError(
      `pipeline revision ${subject.pipelineRevision} of service ${subject.service} does not exist`,
    );
  }
  const policy = stagePolicyOf(revision.spec, subject.stage);
  const release = await findReleaseById(executor, subject.releaseId);
  if (!release) throw new NotFoundError(`release ${subject.releaseId} does not exist`);

  const evidence = evidenceSummary(await evidenceOf(executor, release.id));
  const upstream: UpstreamState[] = [];
  for (const stage of policy.requires) {
    const success = await lastSuccessOfRelease(executor, release.id, stage);
    const status = await findStageStatus(executor, subject.service, stage);
    upstream.push({
      stage,
      succeededAt: success?.finishedAt ?? undefined,
      stillCurrent: status?.currentReleaseId === release.id,
    });
  }

  const decisions = subject.id ? await decisionsOf(executor, subject.id) : [];
  const rejected = decisions.find((decision) => decision.decision === 'rejected');
  const approvalState: ApprovalState = {
    approvals: decisions
      .filter((decision) => decision.decision === 'approved')
      .map((decision) => ({
        actor: decision.actor,
        at: decision.at,
        comment: decision.comment ?? undefined,
      })),
    rejection: rejected
      ? { actor: rejected.actor, at: rejected.at, reason: rejected.comment ?? '' }
      : undefined,
    releaseCreatedBy: release.createdBy,
    promotionRequestedBy: subject.requestedBy,
  };

  const activeFreeze = policy.activeFreeze(now);
  const explanationInput: PromotionExplanationInput = {
    rules: policy.gates,
    evidence,
    upstream,
    now,
    approval: policy.approvals.required > 0 ? { rule: policy.approvals, state: approvalState } : undefined,
    freeze: policy.hasFreezeWindows
      ? { active: activeFreeze, override: subject.freezeOverride ?? undefined }
      : undefined,
  };

  return {
    release,
    policy,
    approvalRule: policy.approvals,
    approvalState,
    explanationInput,
    nextChangeAt(at) {
      const candidates: number[] = [];
      if (activeFreeze && !subject.freezeOverride) candidates.push(activeFreeze.end.getTime());
      const soakMs = policy.gates.soakMs;
      if (soakMs !== undefined) {
        for (const state of upstream) {
          if (!state.succeededAt || !state.stillCurrent) continue;
          const end = state.succeededAt.getTime() + soakMs;
          if (end > at.getTime()) candidates.push(end);
        }
      }
      // A little after the moment, so the recheck sees it as passed.
      return candidates.length > 0 ? new Date(Math.min(...candidates) + 50) : undefined;
    },
  };
}

/** The stored evidence rows as the gates read them. */
export function evidenceSummary(rows: readonly EvidenceRow[]): EvidenceSummary {
  const summary: EvidenceSummary = {};
  for (const row of rows) {
    const stored = row.summary as Record<string, unknown>;
    const attachedAt = row.attachedAt;
    switch (row.kind) {
      case 'tests':
        summary.tests = {
          total: Number(stored.total),
          passed: Number(stored.passed),
          failures: Number(stored.failures),
          errors: Number(stored.errors),
          skipped: Number(stored.skipped),
          source: row.source,
          attachedAt,
        };
        break;
      case 'coverage':
        summary.coverage = { linePct: Number(stored.linePct), source: row.source, attachedAt };
        break;
      case 'vulnerabilities':
        summary.vulnerabilities = {
          critical: Number(stored.critical),
          high: Number(stored.high),
          medium: Number(stored.medium),
          low: Number(stored.low),
          unknown: Number(stored.unknown),
          source: row.source,
          attachedAt,
        };
        break;
      case 'signature':
        summary.signature = {
          verified: stored.verified === true,
          algorithm: String(stored.algorithm),
          reason: typeof stored.reason === 'string' ? stored.reason : undefined,
          attachedAt,
        };
        break;
      case 'migrationCheck':
        summary.migrationCheck = { result: stored.result === 'passed' ? 'passed' : 'failed', attachedAt };
        break;
    }
  }
  return summary;
}
