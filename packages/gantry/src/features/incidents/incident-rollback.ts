import { formatDuration } from '../../shared/duration.js';
import type { PromotionPhase } from '../promotions/promotion-state-machine.js';
import type { RolloutStatus } from '../rollouts/rollouts.tables.js';

// Whether an incident rolls back the promotion it is linked to. Pure: the
// incidents service loads the facts and carries out the answer.
//
//   stage without rollbackOnIncident ─────────────────────► nothing
//   the promotion was itself a rollback ──────────────────► nothing (never undo a rollback)
//   Verifying, its rollout still running or paused ───────► withdraw the candidate (RolledBack)
//   Verifying, its rollout already promoting ─────────────► wait, decide again once it finished
//   Verifying, its rollout already rolling back ──────────► nothing
//   Succeeded, the alert started within the window ───────► rollback promotion of the previous release
//   Succeeded, outside the window; any other phase ───────► nothing

export interface RollbackFacts {
  /** The stage's rollbackOnIncident, when set; windowMs undefined means the default window. */
  policy: { windowMs?: number } | undefined;
  /** GANTRY_ROLLBACK_WINDOW. */
  defaultWindowMs: number;
  promotion: {
    id: string;
    phase: PromotionPhase;
    trigger: 'manual' | 'auto' | 'rollback';
    stage: string;
    version: string;
    finishedAt: Date | null;
  };
  /** The promotion's rollout (local stages), when it has one. */
  rolloutStatus?: RolloutStatus;
  /** When the problem started (the alert's startsAt). */
  startedAt: Date;
}

export type RollbackDecision =
  | { action: 'withdraw'; reason: string }
  | { action: 'rollback'; reason: string }
  | { action: 'wait'; reason: string }
  | { action: 'none'; reason: string };

export function decideRollback(facts: RollbackFacts): RollbackDecision {
  const { promotion, policy } = facts;
  const what = `${promotion.version} in ${promotion.stage}`;
  if (!policy) {
    return {
      action: 'none',
      reason: `${promotion.stage} does not roll back on incidents (no rollbackOnIncident)`,
    };
  }
  if (promotion.trigger === 'rollback') {
    return {
      action: 'none',
      reason: `promotion ${promotion.id} was itself a rollback; Gantry does not roll back a rollback`,
    };
  }
  const windowMs = policy.windowMs ?? facts.defaultWindowMs;
  switch (promotion.phase) {
    case 'Verifying':
      switch (facts.rolloutStatus) {
        case 'Promoting':
        case 'Completed':
          return {
            action: 'wait',
            reason: `${what} is already taking every request; it is rolled back once its promotion finished`,
          };
        case 'RollingBack':
        case 'RolledBack':
        case 'Aborted':
          return { action: 'none', reason: `${what} is already being rolled back` };
        default:
          return { action: 'withdraw', reason: `${what} was still verifying` };
      }
    case 'Succeeded': {
      const finishedAt = promotion.finishedAt ?? facts.startedAt;
      const afterMs = facts.startedAt.getTime() - finishedAt.getTime();
      if (afterMs > windowMs) {
        return {
          action: 'none',
          reason: `it started ${seconds(afterMs)} after ${what} succeeded, outside the ${seconds(windowMs)} rollback window`,
        };
      }
      return {
        action: 'rollback',
        reason:
          afterMs <= 0
            ? `${what} had just succeeded`
            : `it started ${seconds(afterMs)} after ${what} succeeded, within the ${seconds(windowMs)} rollback window`,
      };
    }
    default:
      return {
        action: 'none',
        reason: `promotion ${promotion.id} is ${promotion.phase}; only a verifying promotion, or one that succeeded within the window, is rolled back`,
      };
  }
}

/** A duration to the second, as people read it in a reason (`12m5s`, not `12m5s312ms`). */
function seconds(ms: number): string {
  return ms < 1_000
    ? formatDuration(Math.max(0, Math.round(ms)))
    : formatDuration(Math.round(ms / 1_000) * 1_000);
}
