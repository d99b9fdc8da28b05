import type { DatabaseHandle, Tx } from '../../platform/database/database.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { recordAudit } from '../access/audit.repository.js';
import { assertRole, assertStageAllowed, type Actor } from '../access/actor.js';
import { isTerminal, type PromotionPhase } from '../promotions/promotion-state-machine.js';
import { findPromotion, updatePromotion, type Promotion } from '../promotions/promotions.repository.js';
import type { PromotionsService } from '../promotions/promotions.service.js';
import { findRevision } from '../pipelines/pipelines.repository.js';
import { stagePolicyOf } from '../pipelines/stage-policy.js';
import type { AfterCommit } from '../promotions/promotion-engine.js';
import { compileRolloutPlan, describeStep } from './rollout-plan.js';
import { findRollout, insertRollout, updateRollout, type Rollout } from './rollouts.repository.js';

/**
 * A person's hand on a running rollout: resume a pause, promote at once, or
 * start over with a new promotion of the same release. Each is audited with
 * its reason; abort is the promotion's own command (PromotionsService.abort),
 * after which the rollout runner returns every request to the stable version.
 */
export class RolloutsService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly promotions: PromotionsService,
    private readonly runner: { kick(promotionId: string): void },
  ) {}

  /** Continues a paused rollout: a pause ends, an inconclusive analysis counts as passed by this person. */
  async resume(id: string, reason: string | undefined, actor: Actor): Promise<Promotion> {
    return this.command(id, reason, actor, 'promotion.resume', 'resume', (rollout) => {
      const timedPause = rollout.pausedUntil !== null;
      if (rollout.status !== 'Paused' && !timedPause) {
        throw new ConflictError(
          `promotion ${id} is not paused (its rollout is ${rollout.status.toLowerCase()} at ${stepText(rollout)}); nothing to resume`,
        );
      }
      return {
        status: 'Progressing',
        stepIndex: rollout.stepIndex + 1,
        pausedUntil: null,
        pauseReason: null,
        message: `resumed by ${actor.name}${reason?.trim() ? `: ${reason}` : ''}`,
      };
    });
  }

  /** Skips the remaining steps: the new version takes every request now. */
  async promoteFull(id: string, reason: string | undefined, actor: Actor): Promise<Promotion> {
    return this.command(id, reason, actor, 'promotion.promote-full', 'promote', (rollout) => ({
      status: 'Progressing',
      stepIndex: rollout.plan.steps.length,
      pausedUntil: null,
      pauseReason: null,
      message: `promoted in full by ${actor.name}${reason?.trim() ? `: ${reason}` : ''}`,
    }));
  }

  /** A new promotion of the same release into the same stage, after one that failed, rolled back or was aborted. */
  async retry(id: string, reason: string | undefined, actor: Actor): Promise<Promotion> {
    const previous = await this.promotionOf(id);
    const phase = previous.phase as PromotionPhase;
    if (!isTerminal(phase) || phase === 'Succeeded') {
      throw new ConflictError(
        `promotion ${id} is ${phase}; only a promotion that failed, rolled back, was rejected or aborted can be retried`,
      );
    }
    return this.promotions.request(
      {
        service: previous.service,
        stage: previous.stage,
        version: previous.releaseVersion,
        reason: `retry of promotion ${id}${reason?.trim() ? `: ${reason}` : ''}`,
      },
      actor,
    );
  }

  /**
   * Rolls back a promotion that is still Verifying, in the caller's
   * transaction (an incident's automatic rollback): its rollout is marked
   * RollingBack with the reason, and the runner, kicked once the transaction
   * committed, sends every request back to the stable version, stops the
   * candidate and ends the promotion RolledBack with that reason. Returns
   * undefined when it was ordered, or why it was not.
   */
  async rollBackIn(tx: Tx, id: string, reason: string, hooks: AfterCommit): Promise<string | undefined> {
    const current = await findPromotion(tx, id);
    if (!current) return `promotion ${id} does not exist`;
    if (current.phase !== 'Verifying') return `promotion ${id} is ${current.phase}, no longer verifying`;
    const set = {
      status: 'RollingBack',
      weight: 0,
      pausedUntil: null,
      pauseReason: null,
      message: reason,
    } as const;
    let rollout = await findRollout(tx, id);
    let ordered = false;
    if (!rollout) {
      // Verifying, but the runner has not stored the rollout yet: store it as rolling back.
      const revision = await findRevision(tx, current.service, current.pipelineRevision);
      if (!revision) return `pipeline revision ${current.pipelineRevision} of ${current.service} is missing`;
      const policy = stagePolicyOf(revision.spec, current.stage);
      rollout = await insertRollout(tx, {
        id,
        service: current.service,
        stage: current.stage,
        strategy: policy.strategy.type,
        plan: compileRolloutPlan(policy.strategy),
        ...set,
      });
      ordered = rollout.status === 'RollingBack' && rollout.message === reason;
    }
    if (!ordered) {
      if (['Promoting', 'RollingBack', 'Completed', 'RolledBack', 'Aborted'].includes(rollout.status)) {
        return `its rollout is already ${rollout.status === 'RollingBack' ? 'rolling back' : rollout.status.toLowerCase()}`;
      }
      await updateRollout(tx, rollout, set);
    }
    // Free a rollout that waited for a person, so a runner can claim it now.
    if (current.applyOwner === null) await updatePromotion(tx, current, { applyLeaseUntil: null });
    hooks.afterCommit(() => this.runner.kick(id));
    return undefined;
  }

  private async command(
    id: string,
    reason: string | undefined,
    actor: Actor,
    action: string,
    verb: string,
    change: (rollout: Rollout) => Partial<Omit<Rollout, 'id' | 'version'>>,
  ): Promise<Promotion> {
    assertRole(actor, 'deployer', `${verb} promotions`);
    const promotion = await this.database.db.transaction(async (tx) => {
      const current = await findPromotion(tx, id);
      if (!current) throw new NotFoundError(`promotion ${id} does not exist`);
      assertStageAllowed(actor, current.stage, `${verb} promotions`);
      const rollout = await findRollout(tx, id);
      if (current.phase !== 'Verifying' || !rollout) {
        throw new ConflictError(
          `promotion ${id} is ${current.phase}${rollout ? '' : ' and has no rollout'}; only a promotion rolling out into a local stage (Verifying) can be told to ${verb}`,
        );
      }
      if (['Promoting', 'RollingBack', 'Completed', 'RolledBack', 'Aborted'].includes(rollout.status)) {
        throw new ConflictError(
          `promotion ${id} is already ${rollout.status.toLowerCase()}; too late to ${verb}`,
        );
      }
      await updateRollout(tx, rollout, change(rollout));
      await recordAudit(tx, { actor, action, target: `promotion/${id}`, reason });
      // Free a rollout that waited for a person, so a runner can claim it now.
      return current.applyOwner === null ? updatePromotion(tx, current, { applyLeaseUntil: null }) : current;
    });
    this.runner.kick(id);
    return promotion;
  }

  private async promotionOf(id: string): Promise<Promotion> {
    const promotion = await findPromotion(this.database.db, id);
    if (!promotion) throw new NotFoundError(`promotion ${id} does not exist`);
    return promotion;
  }
}

function stepText(rollout: Rollout): string {
  const step = rollout.plan.steps[rollout.stepIndex];
  return step ? `step ${rollout.stepIndex + 1}: ${describeStep(step)}` : 'its last step';
}
