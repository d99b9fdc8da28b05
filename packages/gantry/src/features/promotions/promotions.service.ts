import type { DatabaseHandle, Executor, Tx } from '../../platform/database/database.js';
import { isUniqueViolation } from '../../platform/database/pg-errors.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { assertRole, assertStageAllowed, type Actor } from '../access/actor.js';
import { recordAudit } from '../access/audit.repository.js';
import type { EventAppender } from '../events/event-appender.js';
import {
  findRevision,
  findService,
  findStageStatus,
  listServices,
  stageStatusOf,
  upsertStageStatus,
  type ServiceRow,
  type StageStatusRow,
} from '../pipelines/pipelines.repository.js';
import { isProductionStage } from '../pipelines/production-stages.js';
import { asServiceSpec, stageNamesOf, stagePolicyOf } from '../pipelines/stage-policy.js';
import { findPreview } from '../previews/previews.repository.js';
import { compareVersions } from '../releases/calver.js';
import { findRelease, findReleaseById, type Release } from '../releases/releases.repository.js';
import { unknownService } from '../releases/releases.service.js';
import { findRolloutDetail, type RolloutDetail } from '../rollouts/rollouts.repository.js';
import {
  explainPromotion,
  formatGateCheck,
  type GateCheck,
  type GateReport,
  type PromotionExplanationInput,
} from './gate-evaluation.js';
import { PromotionEngine, stageKey, type AfterCommit, type ApplyKicker } from './promotion-engine.js';
import { PromotionEvents, type PromotionRequested } from './promotion-events.js';
import { loadPromotionFacts } from './promotion-facts.js';
import {
  activePromotions,
  decisionsOf,
  findActivePromotion,
  findPromotion,
  insertDecision,
  insertPromotion,
  insertTransition,
  listPromotions,
  ONE_ACTIVE_PER_STAGE_INDEX,
  successesInStage,
  transitionsOf,
  waitingPromotionsInStage,
  type Promotion,
  type PromotionDecision,
  type PromotionFilter,
  type PromotionTransition,
} from './promotions.repository.js';

/** A refusal that carries the same explanations `gantry why` shows. */
export class PromotionRefusedError extends ConflictError {
  override readonly code = 'promotion_refused';
  constructor(message: string, explanations: readonly GateCheck[]) {
    super(message, { explanations });
  }
}

export interface PromotionRequest {
  service: string;
  version: string;
  stage: string;
  reason?: string;
  /** Go through an active freeze window; needs an approver token and a reason. */
  override?: boolean;
}

export interface PromotionDetail {
  promotion: Promotion;
  transitions: PromotionTransition[];
  decisions: PromotionDecision[];
  rollout?: RolloutDetail;
}

export interface WhyReport {
  service: string;
  version: string;
  stage: string;
  promotionId: string | null;
  phase: string | null;
  report: GateReport;
  /** Auto-promotion of the stage is held (someone promoted an older release by hand). */
  autoHold: { version: string; actor: string; at: string } | null;
}

export interface StageCell {
  stage: string;
  currentVersion: string | null;
  since: string | null;
  activePromotion: { id: string; version: string; phase: string; message: string | null } | null;
  autoHold: StageStatusRow['autoHold'];
  /** The freeze window holding the stage now: no promotion enters until `until`. */
  freeze: { reason: string | null; since: string; until: string } | null;
}

export interface ServiceStatus {
  service: string;
  team: string;
  stages: StageCell[];
}

const AUTO_ACTOR = 'system:auto-promotion';

/**
 * The commands people and Gantry itself give promotions: request, approve,
 * reject, abort, roll back; and the questions: why, status. Each command is
 * one transaction that checks, changes state, records the transition and the
 * audit entry, and appends the events; the engine then carries the promotion
 * as far as the facts allow.
 */
export class PromotionsService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: EventAppender,
    private readonly engine: PromotionEngine,
    private readonly applier: ApplyKicker,
    /** Returns an aborted rollout's traffic to the stable version at once. */
    private readonly rollouts?: ApplyKicker,
  ) {}

  async request(input: PromotionRequest, actor: Actor): Promise<Promotion> {
    assertRole(actor, 'deployer', 'promote');
    assertStageAllowed(actor, input.stage, 'promote');
    if (input.override) {
      assertRole(actor, 'approver', 'override a freeze window');
      if (!input.reason?.trim()) {
        throw new ValidationError('--override needs --reason: say why the freeze window is being overridden');
      }
    }
    const { db } = this.database;
    const release = await this.releaseOf(db, input.service, input.version);
    try {
      return await db.transaction(async (tx) => {
        const promotion = await this.create(tx, release, input.stage, {
          trigger: 'manual',
          actor,
          reason: input.reason,
          override: input.override ? { actor: actor.name, reason: input.reason ?? '' } : null,
        });
        await recordAudit(tx, {
          actor,
          action: input.override ? 'promotion.request.override-freeze' : 'promotion.request',
          target: `promotion/${promotion.id}`,
          reason: input.reason,
          details: { service: input.service, stage: input.stage, version: input.version },
        });
        return promotion;
      });
    } catch (error) {
      throw await this.explainConflict(error, input.service, input.stage);
    }
  }

  async rollback(
    input: { service: string; stage: string; version?: string; reason?: string },
    actor: Actor,
  ): Promise<Promotion> {
    assertRole(actor, 'deployer', 'roll back');
    assertStageAllowed(actor, input.stage, 'roll back');
    try {
      return await this.database.db.transaction((tx) => this.rollbackIn(tx, input, actor));
    } catch (error) {
      throw await this.explainConflict(error, input.service, input.stage);
    }
  }

  /**
   * A rollback in the caller's transaction (an incident's automatic
   * rollback). Refusals (no earlier release, nothing to change) are thrown
   * before anything is written; the caller checks that the stage has no
   * active promotion first, as the insert would be refused by the database.
   */
  async rollbackIn(
    tx: Tx,
    input: { service: string; stage: string; version?: string; reason?: string },
    actor: Actor,
  ): Promise<Promotion> {
    assertRole(actor, 'deployer', 'roll back');
    assertStageAllowed(actor, input.stage, 'roll back');
    const history = await successesInStage(tx, input.service, input.stage, 200);
    const status = await findStageStatus(tx, input.service, input.stage);
    let release: Release | undefined;
    if (input.version) {
      const wanted = await this.releaseOf(tx, input.service, input.version);
      if (!history.some((promotion) => promotion.releaseId === wanted.id)) {
        throw new ConflictError(
          `release ${input.version} never succeeded in ${input.stage}; a rollback goes back to a release that ran there before (see gantry status ${input.service})`,
        );
      }
      release = wanted;
    } else {
      const previous = history.find((promotion) => promotion.releaseId !== status?.currentReleaseId);
      if (!previous) {
        throw new ConflictError(`${input.stage} of ${input.service} has no earlier release to roll back to`);
      }
      release = await findReleaseById(tx, previous.releaseId);
    }
    if (!release) throw new NotFoundError('the release to roll back to no longer exists');
    if (release.id === status?.currentReleaseId) {
      throw new ConflictError(`${release.version} is already the current release of ${input.stage}`);
    }
    const target = release;
    const promotion = await this.create(tx, target, input.stage, {
      trigger: 'rollback',
      actor,
      reason: input.reason ?? `rollback to ${target.version}`,
      override: null,
    });
    await recordAudit(tx, {
      actor,
      action: 'promotion.rollback',
      target: `promotion/${promotion.id}`,
      reason: input.reason,
      details: { service: input.service, stage: input.stage, version: target.version },
    });
    return promotion;
  }

  /**
   * Auto-promotion of a release into a stage, from a consumer's transaction.
   * Returns why it did nothing, or the promotion it started. Never throws for
   * a refusal: a release that cannot enter an auto stage simply does not.
   */
  async requestAuto(
    tx: Tx,
    release: Release,
    stage: string,
    hooks: AfterCommit,
  ): Promise<Promotion | string> {
    const service = await findService(tx, release.service);
    if (!service) return `service ${release.service} is no longer declared`;
    const status = await findStageStatus(tx, release.service, stage);
    if (status?.autoHold) {
      return `auto-promotion held: ${status.autoHold.actor} promoted ${status.autoHold.version} by hand; promote a newer release by hand to resume`;
    }
    if (status?.currentReleaseId === release.id) return `${release.version} already runs in ${stage}`;
    const active = await findActivePromotion(tx, release.service, stage);
    if (active) {
      if (active.releaseId === release.id) return `already being promoted (${active.id})`;
      const supersedable =
        active.trigger === 'auto' &&
        (active.phase === 'Pending' || active.phase === 'WaitingForGates') &&
        compareVersions(active.releaseVersion, release.version) < 0;
      if (!supersedable)
        return `${stage} has an active promotion ${active.id} (${active.releaseVersion}, ${active.phase})`;
      await this.engine.transition(
        tx,
        active,
        { type: 'aborted' },
        AUTO_ACTOR,
        `superseded by ${release.version}`,
      );
    }
    const facts = await loadPromotionFacts(
      tx,
      {
        service: release.service,
        stage,
        releaseId: release.id,
        pipelineRevision: service.currentRevision,
        requestedBy: AUTO_ACTOR,
      },
      new Date(),
    );
    const blocked = blockingChecks(facts.explanationInput, true);
    if (blocked.length > 0) return blocked.map(formatGateCheck).join('; ');
    const promotion = await this.create(tx, release, stage, {
      trigger: 'auto',
      actor: { name: AUTO_ACTOR },
      reason: 'auto-promotion',
      override: null,
    });
    await this.engine.advance(tx, promotion.id, AUTO_ACTOR, hooks);
    return promotion;
  }

  async approve(id: string, comment: string | undefined, actor: Actor): Promise<Promotion> {
    return this.decide(id, 'approved', comment, actor);
  }

  async reject(id: string, reason: string, actor: Actor): Promise<Promotion> {
    if (!reason.trim()) throw new ValidationError('a rejection needs a reason: --reason "…"');
    return this.decide(id, 'rejected', reason, actor);
  }

  async abort(id: string, reason: string | undefined, actor: Actor): Promise<Promotion> {
    const kicks = collectKicks();
    const promotion = await this.database.db.transaction(async (tx) => {
      const current = await this.promotionOf(tx, id);
      assertRole(actor, 'deployer', 'abort promotions');
      assertStageAllowed(actor, current.stage, 'abort promotions');
      const aborted = await this.engine.transition(
        tx,
        current,
        { type: 'aborted' },
        actor.name,
        reason?.trim() ? `aborted by ${actor.name}: ${reason}` : `aborted by ${actor.name}`,
      );
      await recordAudit(tx, { actor, action: 'promotion.abort', target: `promotion/${id}`, reason });
      return aborted;
    });
    kicks.run(this.applier);
    this.rollouts?.kick(id);
    return promotion;
  }

  /**
   * The promotion with its rollout, transitions and decisions, from one
   * snapshot. Read statement by statement (read committed), a rollout could
   * already show Paused beside the promotion's message from before the pause.
   */
  async get(id: string): Promise<PromotionDetail> {
    return this.database.db.transaction(
      async (tx) => {
        const promotion = await this.promotionOf(tx, id);
        const rollout = await findRolloutDetail(tx, id);
        return {
          promotion,
          transitions: await transitionsOf(tx, id),
          decisions: await decisionsOf(tx, id),
          ...(rollout ? { rollout } : {}),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  list(filter: PromotionFilter): Promise<Promotion[]> {
    return listPromotions(this.database.db, filter);
  }

  /** Every gate, approval and freeze for a release and a stage, with its state and reason. */
  async why(service: string, version: string, stage: string): Promise<WhyReport> {
    const { db } = this.database;
    const release = await this.releaseOf(db, service, version);
    const serviceRow = await this.serviceOf(db, service);
    const active = await findActivePromotion(db, service, stage);
    const own = active?.releaseId === release.id ? active : undefined;
    const status = await findStageStatus(db, service, stage);
    const report = await this.engine.explain(
      db,
      own ?? {
        service,
        stage,
        releaseId: release.id,
        pipelineRevision: serviceRow.currentRevision,
        requestedBy: 'the requester',
      },
    );
    return {
      service,
      version,
      stage,
      promotionId: own?.id ?? null,
      phase: own?.phase ?? null,
      report,
      autoHold: status?.autoHold ?? null,
    };
  }

  /** The service × stage matrix: what runs where, and what is on its way. */
  async status(serviceName?: string): Promise<ServiceStatus[]> {
    const { db } = this.database;
    const services = serviceName ? [await this.serviceOf(db, serviceName)] : await listServices(db);
    const statuses = await stageStatusOf(db, serviceName);
    const active = await activePromotions(db, serviceName);
    const result: ServiceStatus[] = [];
    for (const service of services) {
      const revision = await findRevision(db, service.name, service.currentRevision);
      const stages = revision ? stageNamesOf(revision.spec) : [];
      const now = new Date();
      const cells: StageCell[] = stages.map((stage) => {
        const freeze = revision ? stagePolicyOf(revision.spec, stage)?.activeFreeze(now) : undefined;
        const row = statuses.find((status) => status.service === service.name && status.stage === stage);
        const moving = active.find(
          (promotion) => promotion.service === service.name && promotion.stage === stage,
        );
        return {
          stage,
          currentVersion: row?.currentVersion ?? null,
          since: row?.currentSince?.toISOString() ?? null,
          activePromotion: moving
            ? { id: moving.id, version: moving.releaseVersion, phase: moving.phase, message: moving.message }
            : null,
          autoHold: row?.autoHold ?? null,
          freeze: freeze
            ? {
                reason: freeze.reason ?? null,
                since: freeze.start.toISOString(),
                until: freeze.end.toISOString(),
              }
            : null,
        };
      });
      result.push({ service: service.name, team: service.team, stages: cells });
    }
    return result;
  }

  /** Re-evaluates a promotion (a consumer's reaction to new facts). */
  async advance(tx: Tx, id: string, actor: string, hooks: AfterCommit): Promise<void> {
    await this.engine.advance(tx, id, actor, hooks);
  }

  /** Promotions waiting in a stage: re-evaluated when something upstream changes. */
  waitingIn(executor: Executor, service: string, stage: string): Promise<Promotion[]> {
    return waitingPromotionsInStage(executor, service, stage);
  }

  private async decide(
    id: string,
    decision: 'approved' | 'rejected',
    comment: string | undefined,
    actor: Actor,
  ): Promise<Promotion> {
    const kicks = collectKicks();
    const promotion = await this.database.db.transaction(async (tx) => {
      const current = await this.promotionOf(tx, id);
      const action = decision === 'approved' ? 'approve' : 'reject';
      assertRole(actor, 'approver', `${action} promotions`);
      assertStageAllowed(actor, current.stage, `${action} promotions`);
      if (current.phase !== 'WaitingForApproval') {
        throw new ConflictError(
          `promotion ${id} is ${current.phase}; ${action} is only possible while it is WaitingForApproval`,
        );
      }
      const revision = await findRevision(tx, current.service, current.pipelineRevision);
      const policy = revision ? stagePolicyOf(revision.spec, current.stage) : undefined;
      if (decision === 'approved' && policy?.approvals.fourEyes) {
        const release = await findReleaseById(tx, current.releaseId);
        if (actor.name === release?.createdBy || actor.name === current.requestedBy) {
          const role =
            actor.name === current.requestedBy ? 'requested this promotion' : 'created this release';
          throw new ForbiddenError(
            `${actor.name} ${role}; ${current.stage} needs four eyes, so someone else must approve`,
          );
        }
      }
      const existing = (await decisionsOf(tx, id)).find((row) => row.actor === actor.name);
      if (existing) {
        throw new ConflictError(`${actor.name} already ${existing.decision} promotion ${id}`);
      }
      await insertDecision(tx, {
        promotionId: id,
        actor: actor.name,
        decision,
        comment: comment ?? null,
        at: new Date(),
      });
      await this.events.append(tx, {
        type: PromotionEvents.decisionRecorded,
        key: stageKey(current),
        payload: { promotionId: id, actor: actor.name, decision, comment: comment ?? null },
      });
      await recordAudit(tx, {
        actor,
        action: `promotion.${action}`,
        target: `promotion/${id}`,
        reason: comment,
      });
      return (await this.engine.advance(tx, id, actor.name, kicks)) ?? current;
    });
    kicks.run(this.applier);
    return promotion;
  }

  /**
   * Inserts a promotion in Pending. The partial unique index refuses a second
   * active promotion of the stage; the caller maps that to a 409.
   */
  private async create(
    tx: Tx,
    release: Release,
    stage: string,
    options: {
      trigger: Promotion['trigger'];
      actor: Pick<Actor, 'name'>;
      reason: string | undefined;
      override: { actor: string; reason: string } | null;
    },
  ): Promise<Promotion> {
    const service = await findService(tx, release.service);
    if (!service) throw unknownService(release.service);
    const revision = await findRevision(tx, release.service, service.currentRevision);
    if (!revision) throw unknownService(release.service);
    const policy = stagePolicyOf(revision.spec, stage);
    if (policy.preview) {
      const preview = await findPreview(tx, release.service, policy.preview.number);
      if (preview?.status !== 'active') {
        throw new NotFoundError(
          `${stage} of ${release.service} is the preview of pull request #${policy.preview.number}, which ${preview ? 'is closed' : 'Gantry has not seen opened'}; previews exist while their pull request is open`,
        );
      }
    }
    const now = new Date();
    if (options.trigger === 'manual') {
      const facts = await loadPromotionFacts(
        tx,
        {
          service: release.service,
          stage,
          releaseId: release.id,
          pipelineRevision: service.currentRevision,
          requestedBy: options.actor.name,
          freezeOverride: options.override,
        },
        now,
      );
      const blocked = blockingChecks(facts.explanationInput, false);
      if (blocked.length > 0) {
        throw new PromotionRefusedError(
          `${release.version} cannot be promoted into ${stage}: ${blocked.map(formatGateCheck).join('; ')}`,
          blocked,
        );
      }
    }
    if (options.trigger !== 'auto' && policy.promotion === 'auto') {
      await this.updateAutoHold(tx, release, stage, options.actor.name, now);
    }
    const promotion = await insertPromotion(tx, {
      id: uuidv7(),
      service: release.service,
      stage,
      releaseId: release.id,
      releaseVersion: release.version,
      pipelineRevision: service.currentRevision,
      phase: 'Pending',
      trigger: options.trigger,
      requestedBy: options.actor.name,
      reason: options.reason ?? null,
      freezeOverride: options.override,
      message: 'waiting for the promotion engine',
      production: isProductionStage(asServiceSpec(revision.spec).stages, stage),
    });
    await insertTransition(tx, {
      promotionId: promotion.id,
      fromPhase: null,
      toPhase: 'Pending',
      actor: options.actor.name,
      reason: options.reason ?? `${options.trigger} promotion requested`,
      at: now,
    });
    const requested: PromotionRequested = {
      promotionId: promotion.id,
      service: promotion.service,
      stage,
      releaseId: release.id,
      version: release.version,
      trigger: options.trigger,
      requestedBy: options.actor.name,
    };
    await this.events.append(tx, {
      type: PromotionEvents.requested,
      key: stageKey(promotion),
      payload: requested,
    });
    return promotion;
  }

  /**
   * Promoting (or rolling back to) an older release by hand into an auto
   * stage holds auto-promotion there: the next release from CI would
   * otherwise undo the person's choice. Promoting a release newer than the
   * held one by hand lifts the hold.
   */
  private async updateAutoHold(
    tx: Tx,
    release: Release,
    stage: string,
    actor: string,
    now: Date,
  ): Promise<void> {
    const status = await findStageStatus(tx, release.service, stage);
    const current = status?.currentVersion;
    if (current && compareVersions(release.version, current) < 0) {
      await upsertStageStatus(tx, {
        service: release.service,
        stage,
        autoHold: { version: release.version, actor, at: now.toISOString() },
      });
    } else if (status?.autoHold && compareVersions(release.version, status.autoHold.version) > 0) {
      await upsertStageStatus(tx, { service: release.service, stage, autoHold: null });
    }
  }

  private async explainConflict(error: unknown, service: string, stage: string): Promise<unknown> {
    if (!isUniqueViolation(error, ONE_ACTIVE_PER_STAGE_INDEX)) return error;
    const active = await findActivePromotion(this.database.db, service, stage);
    return new ConflictError(
      active
        ? `${stage} of ${service} already has an active promotion ${active.id} (${active.releaseVersion}, ${active.phase}); wait for it to finish or abort it with: gantry abort ${active.id}`
        : `${stage} of ${service} already has an active promotion; try again`,
      active ? { activePromotionId: active.id } : undefined,
    );
  }

  private async releaseOf(executor: Executor, service: string, version: string): Promise<Release> {
    await this.serviceOf(executor, service);
    const release = await findRelease(executor, service, version);
    if (!release) {
      throw new NotFoundError(
        `release ${version} of ${service} does not exist; see gantry release list --service ${service}`,
      );
    }
    return release;
  }

  private async serviceOf(executor: Executor, name: string): Promise<ServiceRow> {
    const service = await findService(executor, name);
    if (!service) throw unknownService(name);
    return service;
  }

  private async promotionOf(executor: Executor, id: string): Promise<Promotion> {
    const promotion = await findPromotion(executor, id);
    if (!promotion)
      throw new NotFoundError(`promotion ${id} does not exist; list promotions with: gantry promotion list`);
    return promotion;
  }
}

/**
 * The checks that refuse a promotion up front: a gate that is blocked (not
 * merely pending) and, for a manual request, an active freeze window that was
 * not overridden. An auto-promotion waits out a freeze instead.
 */
function blockingChecks(input: PromotionExplanationInput, auto: boolean): GateCheck[] {
  const { items } = explainPromotion({ ...input, approval: undefined });
  return items.filter((item) => item.state === 'blocked' && (!auto || item.kind !== 'freeze'));
}

/** Applies to start once a command's transaction committed. */
function collectKicks(): AfterCommit & { run(applier: ApplyKicker): void } {
  const actions: Array<() => void | Promise<void>> = [];
  return {
    afterCommit: (action) => actions.push(action),
    run: () => {
      for (const action of actions) void action();
    },
  };
}
