import type { Executor, Tx } from '../../platform/database/database.js';
import type { EventAppender } from '../events/event-appender.js';
import type { Logger } from '../../platform/logging/logger.js';
import {
  evaluateApprovals,
  explainPromotion,
  formatGateCheck,
  type GateCheck,
  type GateReport,
} from './gate-evaluation.js';
import {
  isTerminal,
  nextPhase,
  type PromotionPhase,
  type PromotionTrigger,
} from './promotion-state-machine.js';
import {
  findActivePromotion,
  findPromotion,
  insertTransition,
  updatePromotion,
  type Promotion,
} from './promotions.repository.js';
import { loadPromotionFacts, type PromotionFacts, type PromotionSubject } from './promotion-facts.js';
import { upsertStageStatus } from '../pipelines/pipelines.repository.js';
import { PromotionEvents, type PromotionPhaseChanged } from './promotion-events.js';

/** What the engine may ask for after its transaction commits (I/O it must not do inside). */
export interface AfterCommit {
  afterCommit(action: () => void | Promise<void>): void;
}

/** Starts applying a promotion that reached Applying; runs outside any transaction. */
export interface ApplyKicker {
  kick(promotionId: string): void;
}

/**
 * Moves promotions through their state machine. Every decision is taken from
 * stored facts (evidence, upstream successes, decisions, freeze windows), every
 * change is a versioned update plus a transition row plus an outbox event in
 * the caller's transaction, and `advance` can be called any number of times:
 * it only moves a promotion when the facts allow the next step.
 */
export class PromotionEngine {
  constructor(
    private readonly events: EventAppender,
    private readonly applier: ApplyKicker,
    private readonly logger: Logger,
  ) {}

  /** Loads the facts and explains the promotion as it stands. */
  async explain(executor: Executor, subject: PromotionSubject, now = new Date()): Promise<GateReport> {
    const facts = await loadPromotionFacts(executor, subject, now);
    return explainPromotion(facts.explanationInput);
  }

  /**
   * Takes every step the facts allow right now. Stops at a phase that waits
   * for something outside (evidence, time, a person, the target).
   */
  async advance(
    tx: Tx,
    promotionId: string,
    actor: string,
    hooks: AfterCommit,
  ): Promise<Promotion | undefined> {
    let promotion = await findPromotion(tx, promotionId);
    for (let step = 0; promotion && step < 8; step++) {
      const phase = promotion.phase as PromotionPhase;
      if (isTerminal(phase)) return promotion;
      switch (phase) {
        case 'Pending':
          promotion = await this.transition(tx, promotion, { type: 'start' }, actor, 'started');
          continue;
        case 'WaitingForGates': {
          const moved = await this.decideGates(tx, promotion, actor);
          if (moved.phase === promotion.phase) return moved;
          promotion = moved;
          continue;
        }
        case 'WaitingForApproval': {
          const moved = await this.decideApproval(tx, promotion, actor);
          if (moved.phase === promotion.phase) return moved;
          promotion = moved;
          continue;
        }
        case 'Applying': {
          const id = promotion.id;
          hooks.afterCommit(() => this.applier.kick(id));
          return promotion;
        }
        case 'Verifying':
          return promotion;
      }
    }
    return promotion;
  }

  private async decideGates(tx: Tx, promotion: Promotion, actor: string): Promise<Promotion> {
    const now = new Date();
    const facts = await loadPromotionFacts(tx, promotion, now);
    if (promotion.trigger === 'rollback') {
      return this.transition(
        tx,
        promotion,
        { type: 'gatesPassed', approvalsRequired: false },
        actor,
        'rollback to a release that ran here before: gates and approvals are not checked',
      );
    }
    const report = explainPromotion({ ...facts.explanationInput, approval: undefined });
    const blocked = report.items.filter((item) => item.state === 'blocked' && item.kind !== 'freeze');
    if (blocked.length > 0) {
      return this.transition(tx, promotion, { type: 'gatesFailed' }, actor, summarize(blocked));
    }
    const waiting = report.items.filter((item) => item.state !== 'passed');
    if (waiting.length > 0) {
      await this.scheduleRecheck(tx, promotion, facts, now);
      return this.setMessage(tx, promotion, summarize(waiting));
    }
    return this.transition(
      tx,
      promotion,
      { type: 'gatesPassed', approvalsRequired: facts.approvalRule.required > 0 },
      actor,
      report.items.length > 0 ? `gates passed: ${summarize(report.items)}` : 'no gates on this stage',
    );
  }

  private async decideApproval(tx: Tx, promotion: Promotion, actor: string): Promise<Promotion> {
    const now = new Date();
    const facts = await loadPromotionFacts(tx, promotion, now);
    const input = facts.explanationInput;
    if (input.freeze?.active && !input.freeze.override) {
      await this.scheduleRecheck(tx, promotion, facts, now);
      const freezeCheck = explainPromotion({ ...input, approval: undefined }).items.filter(
        (item) => item.kind === 'freeze',
      );
      return this.transition(tx, promotion, { type: 'freezeStarted' }, actor, summarize(freezeCheck));
    }
    if (facts.approvalRule.required === 0) {
      return this.transition(
        tx,
        promotion,
        { type: 'approved', approvalsComplete: true },
        actor,
        'no approvals needed',
      );
    }
    const approval = evaluateApprovals(facts.approvalRule, facts.approvalState);
    const rejection = facts.approvalState.rejection;
    if (rejection) {
      return this.transition(tx, promotion, { type: 'rejected' }, rejection.actor, rejection.reason);
    }
    if (approval.state === 'passed') {
      return this.transition(
        tx,
        promotion,
        { type: 'approved', approvalsComplete: true },
        actor,
        approval.reason,
      );
    }
    return this.setMessage(tx, promotion, approval.reason);
  }

  /**
   * A durable timer for the next moment the facts change by themselves: a
   * soak period ending or a freeze window closing. Extra timers are harmless
   * (advance is idempotent); a missing one would leave a promotion waiting.
   */
  private async scheduleRecheck(
    tx: Tx,
    promotion: Promotion,
    facts: PromotionFacts,
    now: Date,
  ): Promise<void> {
    const at = facts.nextChangeAt(now);
    if (!at) return;
    await this.events.append(
      tx,
      {
        type: PromotionEvents.recheck,
        key: stageKey(promotion),
        payload: { promotionId: promotion.id },
      },
      { availableAt: at },
    );
  }

  async transition(
    tx: Tx,
    promotion: Promotion,
    trigger: PromotionTrigger,
    actor: string,
    reason: string,
    set: Partial<Promotion> = {},
  ): Promise<Promotion> {
    const from = promotion.phase as PromotionPhase;
    const to = nextPhase(from, trigger);
    const now = new Date();
    const updated = await updatePromotion(tx, promotion, {
      ...set,
      phase: to,
      message: reason,
      ...(isTerminal(to) ? { finishedAt: now, applyOwner: null, applyLeaseUntil: null } : {}),
      ...(to === 'Applying' && promotion.applyingAt === null ? { applyingAt: now } : {}),
    });
    await insertTransition(tx, {
      promotionId: promotion.id,
      fromPhase: from,
      toPhase: to,
      actor,
      reason,
      at: now,
    });
    if (to === 'Succeeded') {
      await upsertStageStatus(tx, {
        service: promotion.service,
        stage: promotion.stage,
        currentReleaseId: promotion.releaseId,
        currentVersion: promotion.releaseVersion,
        currentSince: now,
        lastPromotionId: promotion.id,
      });
    }
    const payload: PromotionPhaseChanged = {
      promotionId: promotion.id,
      service: promotion.service,
      stage: promotion.stage,
      releaseId: promotion.releaseId,
      version: promotion.releaseVersion,
      trigger: promotion.trigger,
      from,
      to,
      actor,
      reason,
      at: now.toISOString(),
    };
    await this.events.append(tx, { type: PromotionEvents.phaseChanged, key: stageKey(promotion), payload });
    this.logger.info(
      {
        promotionId: promotion.id,
        service: promotion.service,
        stage: promotion.stage,
        version: promotion.releaseVersion,
        from,
        to,
      },
      `promotion ${from} → ${to}: ${reason}`,
    );
    return updated;
  }

  private async setMessage(tx: Tx, promotion: Promotion, message: string): Promise<Promotion> {
    if (promotion.message === message) return promotion;
    return updatePromotion(tx, promotion, { message });
  }

  /** The active promotion of a stage, for messages that name it. */
  activeIn(executor: Executor, service: string, stage: string): Promise<Promotion | undefined> {
    return findActivePromotion(executor, service, stage);
  }
}

/** Events of one stage keep their order: they share a key. */
export function stageKey(promotion: { service: string; stage: string }): string {
  return `${promotion.service}/${promotion.stage}`;
}

function summarize(items: readonly GateCheck[]): string {
  return items.map(formatGateCheck).join('; ');
}
