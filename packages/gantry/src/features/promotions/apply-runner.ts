import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { backoffDelay } from '../../shared/backoff.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';
import { PromotionRuns } from './promotion-runs.js';
import { findRevision } from '../pipelines/pipelines.repository.js';
import { stagePolicyOf } from '../pipelines/stage-policy.js';
import { findReleaseById } from '../releases/releases.repository.js';
import { TargetApplyError, type ApplyResult, type TargetDriver } from '../targets/target-driver.js';
import type { PromotionEngine } from './promotion-engine.js';
import {
  claimApply,
  findPromotion,
  releaseAllApplyLeases,
  unclaimedApplying,
  updatePromotion,
  type Promotion,
} from './promotions.repository.js';

export interface ApplyRunnerOptions {
  database: DatabaseHandle;
  engine: PromotionEngine;
  drivers: readonly TargetDriver[];
  logger: Logger;
  /** This process, as recorded in promotions.apply_owner. */
  owner: string;
  /** How long a claim lasts; a crashed applier's promotions are picked up after it. */
  leaseMs?: number;
  /** How often to look for promotions nobody is applying (missed kicks, crashed appliers, retries). */
  sweepIntervalMs?: number;
  /** Attempts for retryable failures (a push race lost too often, the git host down) before the promotion fails. */
  maxAttempts?: number;
  /** Runs the Verifying phase of targets that verify after apply (local stages' rollouts). */
  verifier?: { kick(promotionId: string): void };
}

const SYSTEM_ACTOR = 'system:apply';

/**
 * Applies promotions that reached Applying: claims one with a lease (one
 * UPDATE), calls its target driver with no transaction open, then records the
 * outcome in a transaction. Drivers are idempotent per promotion (the gitops
 * driver finds its own commit by trailer), so an apply re-run after a crash
 * never changes the target twice.
 */
export class ApplyRunner {
  private readonly drivers = new Map<string, TargetDriver>();
  private readonly runs: PromotionRuns;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly abort = new AbortController();

  constructor(private readonly options: ApplyRunnerOptions) {
    for (const driver of options.drivers) this.drivers.set(driver.type, driver);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.runs = new PromotionRuns({
      run: (id) => this.run(id),
      unclaimed: () => unclaimedApplying(options.database.db, 50),
      logger: options.logger,
      what: 'applying a promotion',
      sweepIntervalMs: options.sweepIntervalMs ?? 2_000,
    });
  }

  async start(): Promise<void> {
    // PGlite is one process (the data directory is locked), so any lease in it
    // belongs to a process that is gone.
    if (this.options.database.kind === 'pglite') await releaseAllApplyLeases(this.options.database.db);
    this.runs.start();
  }

  /** Finishes applies in flight (bounded by the caller's shutdown timeout). */
  stop(): Promise<void> {
    return this.runs.stop();
  }

  /** Stops waiting on targets at once (shutdown timeout reached); leases run out and another process resumes. */
  cancel(): void {
    this.abort.abort();
  }

  kick(promotionId: string): void {
    this.runs.kick(promotionId);
  }

  /** Waits for every apply started so far (tests and benchmarks). */
  idle(): Promise<void> {
    return this.runs.idle();
  }

  private async run(promotionId: string): Promise<void> {
    const { database, owner } = this.options;
    const claim = await database.db.transaction((tx) => claimApply(tx, promotionId, owner, this.leaseMs));
    if (!claim) return;
    const claimed = claim.promotion;
    let result: ApplyResult;
    let verifiesAfterApply: boolean;
    try {
      ({ result, verifiesAfterApply } = await this.applyToTarget(claimed, claim.claimedBefore));
    } catch (error) {
      await this.recordFailure(claimed, error);
      return;
    }
    const verifying = await database.db.transaction(async (tx) => {
      const current = await findPromotion(tx, promotionId);
      if (!current || current.phase !== 'Applying' || current.applyOwner !== owner) {
        this.options.logger.warn(
          { promotionId, phase: current?.phase, revision: result.revision },
          'the target was changed but the promotion moved on meanwhile (aborted?); recorded nothing',
        );
        return false;
      }
      const applied = await this.options.engine.transition(
        tx,
        current,
        { type: 'applied' },
        SYSTEM_ACTOR,
        result.summary,
        { appliedRevision: result.revision, applyOwner: null, applyLeaseUntil: null },
      );
      if (verifiesAfterApply) return true;
      // The gitops target has no verification yet (Argo CD / Flux sync and
      // health come with the Kubernetes integration): verified once pushed.
      await this.options.engine.transition(
        tx,
        applied,
        { type: 'verified' },
        SYSTEM_ACTOR,
        'pushed to the config repository; nothing further to verify for this target',
      );
      return false;
    });
    if (verifying) this.options.verifier?.kick(promotionId);
  }

  private async applyToTarget(
    promotion: Promotion,
    claimedBefore: boolean,
  ): Promise<{ result: ApplyResult; verifiesAfterApply: boolean }> {
    const { database } = this.options;
    const revision = await findRevision(database.db, promotion.service, promotion.pipelineRevision);
    if (!revision)
      throw new TargetApplyError(`pipeline revision ${promotion.pipelineRevision} is missing`, false);
    const policy = stagePolicyOf(revision.spec, promotion.stage);
    const release = await findReleaseById(database.db, promotion.releaseId);
    if (!release) throw new TargetApplyError(`release ${promotion.releaseId} is missing`, false);
    const target = policy.target;
    const driver = this.drivers.get(target.type);
    if (!driver) {
      throw new TargetApplyError(
        `targets of type ${policy.target.type} cannot be applied by this Gantry`,
        false,
      );
    }
    const result = await driver.apply(
      {
        promotionId: promotion.id,
        service: promotion.service,
        stage: promotion.stage,
        release: {
          version: release.version,
          image: release.image,
          digest: release.digest,
          commit: release.commitSha,
        },
        target,
        isRollback: promotion.trigger === 'rollback',
        mayBeApplied: claimedBefore,
      },
      this.abort.signal,
    );
    return { result, verifiesAfterApply: driver.verifiesAfterApply === true };
  }

  private async recordFailure(claimed: Promotion, error: unknown): Promise<void> {
    const message = redactText(errorMessage(error));
    const retryable = !(error instanceof TargetApplyError) || error.retryable;
    await this.options.database.db.transaction(async (tx) => {
      const current = await findPromotion(tx, claimed.id);
      if (!current || current.phase !== 'Applying' || current.applyOwner !== this.options.owner) return;
      // Failed applies count, not claims: an apply cut short by a crash is resumed without using one up.
      const attempts = current.applyAttempts + 1;
      if (retryable && attempts < this.maxAttempts) {
        const delayMs = backoffDelay(attempts - 1, 1_000, 60_000);
        // Keep the lease until the retry time: the sweep picks it up then.
        await updatePromotion(tx, current, {
          message: `applying failed (attempt ${attempts} of ${this.maxAttempts}), retrying in ${Math.round(delayMs / 1000)}s: ${message}`,
          applyAttempts: attempts,
          applyLeaseUntil: new Date(Date.now() + delayMs),
        });
        this.options.logger.warn(
          { promotionId: current.id, error: message, delayMs },
          'applying a promotion failed; will retry',
        );
        return;
      }
      await this.options.engine.transition(
        tx,
        current,
        { type: 'applyFailed' },
        SYSTEM_ACTOR,
        `applying failed: ${message}`,
        { applyAttempts: attempts },
      );
    });
  }
}
