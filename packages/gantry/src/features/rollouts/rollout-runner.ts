import type { DatabaseHandle, Tx } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { StaleVersionError } from '../../shared/errors.js';
import { sleep } from '../../shared/sleep.js';
import type { EventAppender } from '../events/event-appender.js';
import {
  findLocalStage,
  recordCandidateRemoved,
  recordCandidateWeight,
  recordPromoted,
} from '../local-target/local-stages.repository.js';
import type { LocalStages } from '../local-target/local-stage-runtime.js';
import { findRevision } from '../pipelines/pipelines.repository.js';
import { asServiceSpec, stagePolicyOf } from '../pipelines/stage-policy.js';
import type { ServiceSpec } from '../pipelines/pipeline-spec.js';
import { stageKey, type PromotionEngine } from '../promotions/promotion-engine.js';
import {
  claimApply,
  findPromotion,
  unclaimedApplying,
  updatePromotion,
  type Promotion,
} from '../promotions/promotions.repository.js';
import { PromotionRuns } from '../promotions/promotion-runs.js';
import { RolloutEvents, rolloutProgressed } from './rollout-events.js';
import {
  compileRolloutPlan,
  describeStep,
  previewAfter,
  type AnalysisStep,
  type RolloutPlan,
} from './rollout-plan.js';
import { findRollout, insertRollout, updateRollout, type Rollout } from './rollouts.repository.js';

/** What an analysis says right now; `Running` comes with when to ask again. */
export interface AnalysisVerdict {
  phase: 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
  message: string;
  nextDueAt?: Date;
}

export interface AnalysisStepInput {
  promotion: Promotion;
  /** The promotion's pipeline revision: its analysis templates. */
  spec: ServiceSpec;
  analysis: AnalysisStep;
  versions: { stable?: string; canary: string };
  now: Date;
  signal: AbortSignal;
}

/** Takes the measurements of one analysis that are due, records them, and judges. */
export interface AnalysisStepper {
  step(input: AnalysisStepInput): Promise<AnalysisVerdict>;
}

export interface RolloutRunnerOptions {
  database: DatabaseHandle;
  engine: PromotionEngine;
  events: EventAppender;
  stages: LocalStages;
  analysis: AnalysisStepper;
  logger: Logger;
  owner: string;
  leaseMs?: number;
  sweepIntervalMs?: number;
}

const SYSTEM_ACTOR = 'system:rollout';

/**
 * Runs the Verifying phase of promotions into `local` stages: the rollout
 * plan's steps, one at a time, each stored before it takes effect. A process
 * holds a promotion with a lease (the apply lease columns, phase Verifying)
 * while it works on it; a crashed holder's rollout is picked up where its
 * rollout row says once the lease runs out (on PGlite, at start).
 *
 * It waits in-process for timed pauses and measurement intervals, renewing the
 * lease; their deadlines are stored (paused_until, the measurements' times),
 * and a scheduled `rollout.due` event wakes a runner at a pause's end even if
 * the one that started it is gone. Waiting for a person (a manual pause, an
 * inconclusive analysis) releases the lease.
 */
export class RolloutRunner {
  private readonly runs: PromotionRuns;
  private readonly leaseMs: number;
  private readonly abort = new AbortController();
  /** Wakes a rollout that waits in-process (resume, promote-full, abort). */
  private readonly wakers = new Map<string, AbortController>();

  constructor(private readonly options: RolloutRunnerOptions) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.runs = new PromotionRuns({
      run: (id) => this.run(id),
      unclaimed: () => unclaimedApplying(options.database.db, 50, 'Verifying'),
      logger: options.logger,
      what: 'a rollout step',
      sweepIntervalMs: options.sweepIntervalMs ?? 2_000,
    });
  }

  start(): void {
    this.runs.start();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.runs.stop();
  }

  /** Runs (or wakes) the rollout of a promotion. */
  kick(promotionId: string): void {
    this.wakers.get(promotionId)?.abort();
    this.runs.kick(promotionId);
  }

  idle(): Promise<void> {
    return this.runs.idle();
  }

  private async run(promotionId: string): Promise<void> {
    const { database, owner } = this.options;
    const claim = await database.db.transaction((tx) =>
      claimApply(tx, promotionId, owner, this.leaseMs, 'Verifying'),
    );
    if (!claim) {
      // Not claimable: held by another runner, or no longer Verifying (aborted while paused).
      const current = await findPromotion(database.db, promotionId);
      if (current && current.phase !== 'Verifying') await this.cleanUpAfter(current);
      return;
    }
    let promotion = claim.promotion;
    const revision = await findRevision(database.db, promotion.service, promotion.pipelineRevision);
    if (!revision) throw new Error(`pipeline revision ${promotion.pipelineRevision} is missing`);
    const spec = asServiceSpec(revision.spec);
    const policy = stagePolicyOf(revision.spec, promotion.stage);
    let rollout =
      (await findRollout(database.db, promotion.id)) ??
      (await insertRollout(database.db, {
        id: promotion.id,
        service: promotion.service,
        stage: promotion.stage,
        strategy: policy.strategy.type,
        plan: compileRolloutPlan(policy.strategy),
      }));
    const leaseRenewEvery = this.leaseMs / 3;
    let leaseRenewedAt = Date.now();

    for (;;) {
      if (this.abort.signal.aborted) return;
      // Someone may have resumed, promoted or aborted meanwhile: every move starts from the stored state.
      const fresh = await findPromotion(database.db, promotionId);
      if (!fresh || fresh.phase !== 'Verifying' || fresh.applyOwner !== owner) {
        if (fresh && fresh.phase !== 'Verifying') await this.cleanUpAfter(fresh);
        return;
      }
      promotion = fresh;
      rollout = (await findRollout(database.db, promotionId)) ?? rollout;
      if (Date.now() - leaseRenewedAt > leaseRenewEvery) {
        promotion = await updatePromotion(database.db, promotion, {
          applyLeaseUntil: new Date(Date.now() + this.leaseMs),
        });
        leaseRenewedAt = Date.now();
      }
      let outcome: Awaited<ReturnType<RolloutRunner['next']>>;
      try {
        outcome = await this.next(promotion, rollout, spec);
      } catch (error) {
        // A person changed the rollout while this step was being taken: start again from what is stored.
        if (error instanceof StaleVersionError) continue;
        throw error;
      }
      if (outcome.type === 'done') return;
      if (outcome.type === 'continue') continue;
      // Wait in-process, woken early by a person's action.
      const waker = new AbortController();
      this.wakers.set(promotionId, waker);
      const wait = Math.max(0, Math.min(outcome.until.getTime() - Date.now(), leaseRenewEvery));
      await sleep(wait, AbortSignal.any([waker.signal, this.abort.signal]));
      this.wakers.delete(promotionId);
    }
  }

  /** One move of the rollout: the step in hand, or the wait it needs. */
  private async next(
    promotion: Promotion,
    rollout: Rollout,
    spec: ServiceSpec,
  ): Promise<{ type: 'done' } | { type: 'continue' } | { type: 'wait'; until: Date }> {
    const { stages } = this.options;
    const plan = rollout.plan;
    const now = new Date();
    switch (rollout.status) {
      case 'Paused':
        await this.waitForPerson(promotion, promotion.message ?? 'paused');
        return { type: 'done' };
      case 'Promoting':
        await this.promote(promotion, rollout);
        return { type: 'done' };
      case 'RollingBack':
        await this.rollBack(promotion, rollout, rollout.message ?? 'rolled back');
        return { type: 'done' };
      case 'Completed':
      case 'RolledBack':
      case 'Aborted':
        return { type: 'done' };
      case 'Progressing':
        break;
    }
    if (!stages.hasCandidate(promotion.service, promotion.stage, promotion.id)) {
      await this.rollBack(
        promotion,
        rollout,
        `the replicas of ${promotion.releaseVersion} are not running any more (lost in a restart and could not be started again); rolled back to the stable version`,
      );
      return { type: 'done' };
    }
    const firstRelease = !stages.hasStable(promotion.service, promotion.stage);
    if (firstRelease || rollout.stepIndex >= plan.steps.length) {
      // A stage's first release has nothing to shift traffic from or fall back to.
      const message = firstRelease
        ? `first release in ${promotion.stage}: no stable version to shift traffic from, so the ${plan.strategy} steps were skipped`
        : `all ${plan.steps.length} ${plan.steps.length === 1 ? 'step' : 'steps'} done`;
      await this.promote(promotion, await this.save(rollout, { status: 'Promoting', message }));
      return { type: 'done' };
    }

    const versions = {
      stable: stages.versions(promotion.service, promotion.stage).stable,
      canary: promotion.releaseVersion,
    };
    // The background analysis measures alongside every step; its next measurement bounds any wait.
    let backgroundDue: Date | undefined;
    if (plan.background) {
      const verdict = await this.options.analysis.step({
        promotion,
        spec,
        analysis: plan.background,
        versions,
        now,
        signal: this.abort.signal,
      });
      const decided = await this.onVerdict(promotion, rollout, verdict, false);
      if (decided) return decided;
      if (verdict.phase === 'Running') backgroundDue = verdict.nextDueAt;
    }
    const wait = (until: Date) => ({
      type: 'wait' as const,
      until: backgroundDue && backgroundDue < until ? backgroundDue : until,
    });

    if (rollout.stepIndex >= plan.steps.length) {
      await this.promote(
        promotion,
        await this.save(rollout, { status: 'Promoting', message: 'all steps done: promoting' }),
      );
      return { type: 'done' };
    }

    const step = plan.steps[rollout.stepIndex]!;
    const stepText = `step ${rollout.stepIndex + 1} of ${plan.steps.length}: ${describeStep(step)}`;
    switch (step.kind) {
      case 'setWeight':
      case 'switch':
      case 'preview': {
        const weight =
          step.kind === 'setWeight' ? step.weight : step.kind === 'switch' ? 100 : rollout.weight;
        await this.shift(promotion, rollout, weight, stepText);
        return { type: 'continue' };
      }
      case 'pause':
      case 'scaleDownDelay': {
        const durationMs = step.durationMs;
        if (durationMs === undefined) {
          await this.waitForPerson(
            promotion,
            `paused at ${stepText}; resume with gantry promotion resume ${promotion.id}`,
            {
              rollout,
              set: {
                status: 'Paused',
                pauseReason: step.kind === 'pause' ? (step.reason ?? 'paused') : 'paused',
                message: `${stepText}: waiting for someone to resume`,
              },
            },
          );
          return { type: 'done' };
        }
        if (!rollout.pausedUntil) {
          const until = new Date(now.getTime() + durationMs);
          await this.options.database.db.transaction(async (tx) => {
            await this.save(
              rollout,
              { pausedUntil: until, message: `${stepText} until ${until.toISOString()}` },
              tx,
            );
            await this.scheduleDue(tx, promotion, until);
          });
          await this.setMessage(promotion, `${stepText} (until ${until.toISOString()})`);
          return wait(until);
        }
        if (rollout.pausedUntil.getTime() > now.getTime()) return wait(rollout.pausedUntil);
        await this.save(rollout, {
          stepIndex: rollout.stepIndex + 1,
          pausedUntil: null,
          message: `${stepText} done`,
        });
        return { type: 'continue' };
      }
      case 'analysis': {
        const verdict = await this.options.analysis.step({
          promotion,
          spec,
          analysis: step,
          versions,
          now,
          signal: this.abort.signal,
        });
        const decided = await this.onVerdict(promotion, rollout, verdict, true);
        if (decided?.type === 'wait') {
          await this.setMessage(promotion, `${stepText}: ${verdict.message}`);
          return wait(decided.until);
        }
        if (decided) return decided;
        await this.save(rollout, {
          stepIndex: rollout.stepIndex + 1,
          message: `${stepText}: ${verdict.message}`,
        });
        return { type: 'continue' };
      }
    }
  }

  /**
   * Acts on an analysis verdict. Undefined means it passed (and the step may
   * move on when `stepDone`); otherwise what the runner does next.
   */
  private async onVerdict(
    promotion: Promotion,
    rollout: Rollout,
    verdict: AnalysisVerdict,
    stepDone: boolean,
  ): Promise<{ type: 'done' } | { type: 'wait'; until: Date } | undefined> {
    switch (verdict.phase) {
      case 'Successful':
        return undefined;
      case 'Running':
        if (!stepDone) return undefined;
        return { type: 'wait', until: verdict.nextDueAt ?? new Date(Date.now() + 1_000) };
      case 'Failed':
      case 'Error':
        await this.rollBack(
          promotion,
          rollout,
          `analysis ${verdict.phase.toLowerCase()}: ${verdict.message}`,
        );
        return { type: 'done' };
      case 'Inconclusive': {
        await this.waitForPerson(
          promotion,
          `paused: the analysis was inconclusive (${verdict.message}); resume with gantry promotion resume ${promotion.id} or abort`,
          {
            rollout,
            set: { status: 'Paused', pauseReason: 'inconclusive analysis', message: verdict.message },
          },
        );
        return { type: 'done' };
      }
    }
  }

  /** Stores the new weight, then routes by it. */
  private async shift(
    promotion: Promotion,
    rollout: Rollout,
    weight: number,
    stepText: string,
  ): Promise<Rollout> {
    const plan = rollout.plan;
    const stepIndex = rollout.stepIndex + 1;
    const saved = await this.options.database.db.transaction(async (tx) => {
      await recordCandidateWeight(tx, promotion.service, promotion.stage, weight);
      return this.save(rollout, { weight, stepIndex, message: `${stepText} done` }, tx);
    });
    await this.route(promotion, plan, stepIndex, weight);
    await this.setMessage(promotion, `${stepText}: ${promotion.releaseVersion} gets ${weight}% of requests`);
    return saved;
  }

  private route(promotion: Promotion, plan: RolloutPlan, stepIndex: number, weight: number): Promise<void> {
    return this.options.stages.route(promotion.service, promotion.stage, {
      weight,
      preview: previewAfter(plan, stepIndex),
      ...(plan.previewPort !== undefined ? { previewPort: plan.previewPort } : {}),
      ...(plan.stickiness ? { stickiness: plan.stickiness } : {}),
    });
  }

  /** The candidate becomes stable; the old version drains; the promotion succeeds. */
  private async promote(promotion: Promotion, rollout: Rollout): Promise<void> {
    const { database, engine, stages } = this.options;
    await stages.promote(promotion.service, promotion.stage);
    await database.db.transaction(async (tx) => {
      await recordPromoted(tx, promotion.service, promotion.stage);
      await this.save(rollout, { status: 'Completed', weight: 100 }, tx);
      const current = await findPromotion(tx, promotion.id);
      if (current?.phase !== 'Verifying') return;
      await engine.transition(
        tx,
        current,
        { type: 'verified' },
        SYSTEM_ACTOR,
        `${promotion.releaseVersion} takes every request in ${promotion.stage}${rollout.message ? `: ${rollout.message}` : ''}`,
      );
    });
  }

  /** Every request back to stable, the candidate stopped, the promotion RolledBack with the reason. */
  private async rollBack(promotion: Promotion, rollout: Rollout, reason: string): Promise<void> {
    let rollingBack = rollout;
    await this.withdrawCandidate(
      promotion,
      async (tx) => {
        if (rollout.status === 'RollingBack') return;
        rollingBack = await this.save(rollout, { status: 'RollingBack', weight: 0, message: reason }, tx);
      },
      async (tx) => {
        await this.save(rollingBack, { status: 'RolledBack' }, tx);
        const current = await findPromotion(tx, promotion.id);
        if (current?.phase !== 'Verifying') return;
        await this.options.engine.transition(
          tx,
          current,
          { type: 'verificationFailed', rolledBack: true },
          SYSTEM_ACTOR,
          reason,
        );
      },
    );
    this.options.logger.warn(
      { promotionId: promotion.id, service: promotion.service, stage: promotion.stage, reason },
      'rolled back',
    );
  }

  /**
   * A promotion that ended while its candidate ran (aborted): stable takes
   * everything again. Also when it ended before its rollout began (aborted
   * right after the apply started the candidate): the stage's record says
   * whose candidate runs there.
   */
  private async cleanUpAfter(promotion: Promotion): Promise<void> {
    const { db } = this.options.database;
    const rollout = await findRollout(db, promotion.id);
    if (rollout && ['Completed', 'RolledBack', 'Aborted'].includes(rollout.status)) return;
    if (!rollout) {
      const stage = await findLocalStage(db, promotion.service, promotion.stage);
      if (stage?.candidate?.promotionId !== promotion.id) return;
    }
    await this.withdrawCandidate(
      promotion,
      () => Promise.resolve(),
      async (tx) => {
        if (!rollout) return;
        await this.save(
          rollout,
          { status: 'Aborted', weight: 0, message: `promotion ${promotion.phase}` },
          tx,
        );
      },
    );
  }

  /**
   * The weight 0 is stored (with `before`), then every request goes to stable
   * and the candidate's replicas drain and stop; the stage forgets the
   * candidate in the same transaction as `after` records the outcome.
   */
  private async withdrawCandidate(
    promotion: Promotion,
    before: (tx: Tx) => Promise<void>,
    after: (tx: Tx) => Promise<void>,
  ): Promise<void> {
    const { database, stages } = this.options;
    await database.db.transaction(async (tx) => {
      await recordCandidateWeight(tx, promotion.service, promotion.stage, 0);
      await before(tx);
    });
    await stages.removeCandidate(promotion.service, promotion.stage);
    await database.db.transaction(async (tx) => {
      await recordCandidateRemoved(tx, promotion.service, promotion.stage);
      await after(tx);
    });
  }

  /** Stores the rollout's new state and announces it (rollout.progressed) in the same transaction. */
  private async save(
    rollout: Rollout,
    set: Partial<Omit<Rollout, 'id' | 'version'>>,
    tx?: Tx,
  ): Promise<Rollout> {
    if (!tx) return this.options.database.db.transaction((inner) => this.save(rollout, set, inner));
    const saved = await updateRollout(tx, rollout, set);
    await this.options.events.append(tx, rolloutProgressed(saved));
    return saved;
  }

  private async scheduleDue(tx: Tx, promotion: Promotion, at: Date): Promise<void> {
    await this.options.events.append(
      tx,
      { type: RolloutEvents.due, key: stageKey(promotion), payload: { promotionId: promotion.id } },
      { availableAt: at },
    );
  }

  /**
   * Lets go of a rollout that waits for a person: no lease sweep picks it up
   * (it holds until the year 9999); resume, promote-full and abort free it
   * and kick a runner.
   */
  private async waitForPerson(
    promotion: Promotion,
    message: string,
    pause?: { rollout: Rollout; set: Partial<Omit<Rollout, 'id' | 'version'>> },
  ): Promise<void> {
    // The rollout's pause and the promotion's explanation change together: nobody reads one without the other.
    await this.options.database.db.transaction(async (tx) => {
      if (pause) await this.save(pause.rollout, pause.set, tx);
      const current = await findPromotion(tx, promotion.id);
      if (!current || current.phase !== 'Verifying') return;
      await updatePromotion(tx, current, {
        message,
        applyOwner: null,
        applyLeaseUntil: WAITING_FOR_A_PERSON,
      });
    });
  }

  /** The promotion's message while its rollout waits (a new measurement, a pause), announced like a step. */
  private async setMessage(promotion: Promotion, message: string): Promise<void> {
    await this.options.database.db.transaction(async (tx) => {
      const current = await findPromotion(tx, promotion.id);
      if (!current || current.message === message) return;
      await updatePromotion(tx, current, { message });
      const rollout = await findRollout(tx, promotion.id);
      if (rollout) await this.options.events.append(tx, rolloutProgressed(rollout, message));
    });
  }
}

/** The lease of a rollout that nobody should pick up until a person acts. */
export const WAITING_FOR_A_PERSON = new Date('9999-01-01T00:00:00Z');
