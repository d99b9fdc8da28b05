import type { DatabaseHandle, Executor, Tx } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import {
  ConflictError,
  errorMessage,
  GantryError,
  NotFoundError,
  ValidationError,
} from '../../shared/errors.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { assertRole, assertStageAllowed, type Actor } from '../access/actor.js';
import { recordAudit } from '../access/audit.repository.js';
import type { EventAppender } from '../events/event-appender.js';
import { findRevision, findService } from '../pipelines/pipelines.repository.js';
import { stageNamesOf, stagePolicyOf } from '../pipelines/stage-policy.js';
import type { AfterCommit } from '../promotions/promotion-engine.js';
import type { PromotionPhase } from '../promotions/promotion-state-machine.js';
import { findActivePromotion, findPromotion, type Promotion } from '../promotions/promotions.repository.js';
import type { PromotionsService } from '../promotions/promotions.service.js';
import { findRollout } from '../rollouts/rollouts.repository.js';
import type { RolloutsService } from '../rollouts/rollouts.service.js';
import type { AlertChanged } from '../webhooks/inbound-events.js';
import { alertIncident, DEFAULT_ALERT_LABEL_NAMES, type AlertLabelNames } from './alert-mapping.js';
import { IncidentEvents, type IncidentLinked, type IncidentSummary } from './incident-events.js';
import { decideRollback } from './incident-rollback.js';
import {
  findIncident,
  findOpenIncident,
  insertIncident,
  latestDeployedPromotion,
  listIncidents,
  updateIncident,
  type Incident,
  type IncidentFilter,
} from './incidents.repository.js';
import type { IncidentRollback } from './incidents.tables.js';

/** GANTRY_ALERT_SERVICE_LABEL, GANTRY_ALERT_STAGE_LABEL and GANTRY_ROLLBACK_WINDOW. */
export interface IncidentSettings {
  labels: AlertLabelNames;
  rollbackWindowMs: number;
}

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = {
  labels: DEFAULT_ALERT_LABEL_NAMES,
  rollbackWindowMs: 30 * 60_000,
};

/** Internal durable timer: decide again about rolling back once a promotion finished. */
export const INCIDENT_ROLLBACK_DUE = 'incident.rollback-due';
export interface IncidentRollbackDue {
  incidentId: string;
}

/** How long to wait before deciding again about a promotion that is finishing right now. */
const RECHECK_AFTER_MS = 2_000;

export const ALERTMANAGER_SOURCE = 'alertmanager';
const MANUAL_SOURCE = 'manual';

/** Who acts when Alertmanager opens or resolves an incident. */
const ALERTMANAGER_ACTOR: Actor = { name: 'alertmanager', role: 'deployer', stages: null };

/** Who acts when an incident rolls a promotion back. */
function incidentActor(incident: Incident): Actor {
  return { name: `incident:${incident.id}`, role: 'deployer', stages: null };
}

export interface OpenIncidentInput {
  title: string;
  service?: string;
  stage?: string;
  severity?: string;
  url?: string;
  /** The promotion that caused it; default: the latest promotion into the stage, when a stage is given. */
  promotionId?: string;
}

/**
 * Incidents: opened by Alertmanager alerts (deduplicated by fingerprint) or
 * by hand, linked to the promotion that caused them, resolved. An alert for
 * a stage with `rollbackOnIncident` also rolls the promotion back, once per
 * incident. Every change is one transaction with its audit entry and its
 * incident event.
 */
export class IncidentsService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: EventAppender,
    private readonly promotions: PromotionsService,
    private readonly rollouts: RolloutsService,
    private readonly logger: Logger,
    private readonly settings: IncidentSettings = DEFAULT_INCIDENT_SETTINGS,
  ) {}

  async open(input: OpenIncidentInput, actor: Actor): Promise<Incident> {
    assertRole(actor, 'deployer', 'open incidents');
    if (input.stage) assertStageAllowed(actor, input.stage, 'open incidents');
    if (input.stage && !input.service) {
      throw new ValidationError('an incident in a stage needs its service too (service and stage)');
    }
    return this.database.db.transaction(async (tx) => {
      let service = input.service ?? null;
      let stage = input.stage ?? null;
      if (service) await this.checkServiceAndStage(tx, service, stage);
      let promotion: Promotion | undefined;
      let linkReason: string | undefined;
      if (input.promotionId) {
        promotion = await this.promotionOf(tx, input.promotionId);
        assertMatches({ service, stage }, promotion, 'the new incident');
        assertStageAllowed(actor, promotion.stage, 'link incidents');
        service = promotion.service;
        stage = promotion.stage;
        linkReason = `named by ${actor.name} when opening the incident`;
      } else if (service && stage) {
        promotion = await latestDeployedPromotion(tx, service, stage);
        linkReason = `the latest promotion into ${stage} when the incident opened`;
      }
      const now = new Date();
      const id = uuidv7();
      const incident = await insertIncident(tx, {
        id,
        source: MANUAL_SOURCE,
        fingerprint: id,
        title: input.title,
        service,
        stage,
        status: 'open',
        severity: input.severity ?? null,
        labels: {},
        promotionId: promotion?.id ?? null,
        url: input.url ?? null,
        openedBy: actor.name,
        openedAt: now,
      });
      await this.announceOpened(tx, incident, actor, linkReason);
      return incident;
    });
  }

  async resolve(id: string, reason: string | undefined, actor: Actor): Promise<Incident> {
    assertRole(actor, 'deployer', 'resolve incidents');
    return this.database.db.transaction(async (tx) => {
      const incident = await this.incidentOf(tx, id);
      if (incident.stage) assertStageAllowed(actor, incident.stage, 'resolve incidents');
      if (incident.status === 'resolved') {
        throw new ConflictError(
          `incident ${id} was already resolved by ${incident.resolvedBy ?? 'someone'} at ${incident.resolvedAt?.toISOString() ?? 'an unknown time'}`,
        );
      }
      return this.resolveIn(tx, incident, new Date(), actor, reason);
    });
  }

  async link(id: string, promotionId: string, reason: string, actor: Actor): Promise<Incident> {
    assertRole(actor, 'deployer', 'link incidents');
    if (!reason.trim()) throw new ValidationError('a link needs a reason: say why this promotion caused it');
    return this.database.db.transaction(async (tx) => {
      const incident = await this.incidentOf(tx, id);
      const promotion = await this.promotionOf(tx, promotionId);
      assertStageAllowed(actor, promotion.stage, 'link incidents');
      assertMatches(incident, promotion, `incident ${id}`);
      if (incident.promotionId === promotion.id) return incident;
      const linked = await updateIncident(tx, incident, {
        promotionId: promotion.id,
        service: promotion.service,
        stage: promotion.stage,
      });
      const at = new Date();
      const payload: IncidentLinked = { ...summaryOf(linked, actor, at), promotionId: promotion.id, reason };
      await this.events.append(tx, { type: IncidentEvents.linked, key: linked.id, payload });
      await recordAudit(tx, {
        actor,
        action: 'incident.link',
        target: `incident/${id}`,
        reason,
        details: {
          promotionId: promotion.id,
          previousPromotionId: incident.promotionId,
          service: promotion.service,
          stage: promotion.stage,
          version: promotion.releaseVersion,
        },
      });
      return linked;
    });
  }

  async get(id: string): Promise<Incident> {
    return this.incidentOf(this.database.db, id);
  }

  list(filter: IncidentFilter): Promise<Incident[]> {
    return listIncidents(this.database.db, filter);
  }

  /**
   * One alert of an Alertmanager notification (the alert.changed consumer,
   * inside its processed-event transaction). Firing opens an incident unless
   * one is open for the fingerprint (then only its labels are refreshed);
   * resolved resolves it.
   */
  async onAlert(tx: Tx, alert: AlertChanged, hooks: AfterCommit): Promise<void> {
    if (!alert.fingerprint) {
      this.logger.warn({ deliveryId: alert.deliveryId }, 'an alert without a fingerprint was ignored');
      return;
    }
    const mapped = alertIncident(alert, this.settings.labels);
    const open = await findOpenIncident(tx, ALERTMANAGER_SOURCE, mapped.fingerprint);
    if (alert.status === 'resolved') {
      if (!open) return;
      const endedAt = mapped.endedAt && mapped.endedAt >= open.openedAt ? mapped.endedAt : new Date();
      await this.resolveIn(tx, open, endedAt, ALERTMANAGER_ACTOR, 'the alert resolved');
      return;
    }
    if (open) {
      const refreshed = {
        title: mapped.title,
        severity: mapped.severity,
        url: mapped.url,
        labels: mapped.labels,
      };
      if (
        JSON.stringify([open.title, open.severity, open.url, open.labels]) !==
        JSON.stringify([refreshed.title, refreshed.severity, refreshed.url, refreshed.labels])
      ) {
        await updateIncident(tx, open, refreshed);
      }
      return;
    }
    const promotion =
      mapped.service && mapped.stage
        ? await latestDeployedPromotion(tx, mapped.service, mapped.stage)
        : undefined;
    const incident = await insertIncident(tx, {
      id: uuidv7(),
      source: ALERTMANAGER_SOURCE,
      fingerprint: mapped.fingerprint,
      title: mapped.title,
      service: mapped.service,
      stage: mapped.stage,
      status: 'open',
      severity: mapped.severity,
      labels: mapped.labels,
      promotionId: promotion?.id ?? null,
      url: mapped.url,
      openedBy: ALERTMANAGER_ACTOR.name,
      openedAt: mapped.startedAt ?? new Date(),
    });
    await this.announceOpened(
      tx,
      incident,
      ALERTMANAGER_ACTOR,
      promotion && `the latest promotion into ${promotion.stage} when the alert fired`,
    );
    if (promotion) await this.considerRollback(tx, incident, promotion, hooks);
  }

  /** The timer of an incident whose promotion was finishing: decides again, once. */
  async onRollbackDue(tx: Tx, incidentId: string, hooks: AfterCommit): Promise<void> {
    const incident = await findIncident(tx, incidentId);
    if (!incident?.promotionId || incident.rollback?.action !== 'pending') return;
    const promotion = await findPromotion(tx, incident.promotionId);
    if (!promotion) return;
    await this.considerRollback(tx, incident, promotion, hooks);
  }

  /**
   * Acts on the rollback decision for an incident linked to `promotion` and
   * records what was done on the incident, so it never rolls back twice.
   */
  private async considerRollback(
    tx: Tx,
    incident: Incident,
    promotion: Promotion,
    hooks: AfterCommit,
  ): Promise<void> {
    const policy = await this.rollbackPolicyOf(tx, promotion);
    const rollout = await findRollout(tx, promotion.id);
    const decision = decideRollback({
      policy,
      defaultWindowMs: this.settings.rollbackWindowMs,
      promotion: {
        id: promotion.id,
        phase: promotion.phase as PromotionPhase,
        trigger: promotion.trigger,
        stage: promotion.stage,
        version: promotion.releaseVersion,
        finishedAt: promotion.finishedAt,
      },
      ...(rollout ? { rolloutStatus: rollout.status } : {}),
      startedAt: incident.openedAt,
    });
    const actor = incidentActor(incident);
    const because = `incident ${incident.id} (${incident.title}): ${decision.reason}`;
    const now = new Date();
    let outcome: IncidentRollback;
    switch (decision.action) {
      case 'withdraw': {
        const reason = `rolled back for ${because}`;
        const refused = await this.rollouts.rollBackIn(tx, promotion.id, reason, hooks);
        outcome = refused
          ? skipped(`not rolled back: ${refused}`, now)
          : { action: 'withdrawn', promotionId: promotion.id, reason, at: now.toISOString() };
        break;
      }
      case 'rollback': {
        const reason = `rollback for ${because}`;
        const rolledBack = await this.startRollback(tx, promotion, reason, actor);
        outcome =
          typeof rolledBack === 'string'
            ? skipped(`not rolled back: ${rolledBack}`, now)
            : { action: 'promoted', promotionId: rolledBack.id, reason, at: now.toISOString() };
        break;
      }
      case 'wait':
        outcome = {
          action: 'pending',
          promotionId: promotion.id,
          reason: decision.reason,
          at: now.toISOString(),
        };
        await this.events.append(
          tx,
          {
            type: INCIDENT_ROLLBACK_DUE,
            key: incident.id,
            payload: { incidentId: incident.id } satisfies IncidentRollbackDue,
          },
          { availableAt: new Date(now.getTime() + RECHECK_AFTER_MS) },
        );
        break;
      case 'none':
        outcome = skipped(`not rolled back: ${decision.reason}`, now);
        break;
    }
    await updateIncident(tx, (await findIncident(tx, incident.id)) ?? incident, { rollback: outcome });
    if (outcome.action === 'withdrawn' || outcome.action === 'promoted') {
      await recordAudit(tx, {
        actor,
        action: 'incident.rollback',
        target: `promotion/${promotion.id}`,
        reason: outcome.reason,
        details: {
          incidentId: incident.id,
          service: promotion.service,
          stage: promotion.stage,
          version: promotion.releaseVersion,
          ...(outcome.action === 'promoted' ? { rollbackPromotionId: outcome.promotionId } : {}),
        },
      });
      this.logger.warn(
        {
          incidentId: incident.id,
          promotionId: promotion.id,
          service: promotion.service,
          stage: promotion.stage,
        },
        outcome.reason,
      );
    } else {
      this.logger.info({ incidentId: incident.id, promotionId: promotion.id }, outcome.reason);
    }
  }

  /** A rollback promotion to the release before `promotion`'s, or why there is none. */
  private async startRollback(
    tx: Tx,
    promotion: Promotion,
    reason: string,
    actor: Actor,
  ): Promise<Promotion | string> {
    const active = await findActivePromotion(tx, promotion.service, promotion.stage);
    if (active) {
      return active.trigger === 'rollback'
        ? `a rollback is already under way in ${promotion.stage} (promotion ${active.id})`
        : `${promotion.stage} has an active promotion ${active.id} (${active.releaseVersion}, ${active.phase}); roll back by hand once it finished: gantry rollback ${promotion.service} --stage ${promotion.stage}`;
    }
    try {
      return await this.promotions.rollbackIn(
        tx,
        { service: promotion.service, stage: promotion.stage, reason },
        actor,
      );
    } catch (error) {
      // Refusals are thrown before anything is written, so the transaction goes on.
      if (error instanceof GantryError) return errorMessage(error);
      throw error;
    }
  }

  /** The stage's rollbackOnIncident in the service's current pipeline, if it still has the stage. */
  private async rollbackPolicyOf(tx: Tx, promotion: Promotion): Promise<{ windowMs?: number } | undefined> {
    const service = await findService(tx, promotion.service);
    if (!service) return undefined;
    const revision = await findRevision(tx, promotion.service, service.currentRevision);
    if (!revision || !stageNamesOf(revision.spec).includes(promotion.stage)) return undefined;
    return stagePolicyOf(revision.spec, promotion.stage).rollbackOnIncident;
  }

  private async announceOpened(
    tx: Tx,
    incident: Incident,
    actor: Actor,
    linkReason: string | undefined,
  ): Promise<void> {
    const at = incident.openedAt;
    await this.events.append(tx, {
      type: IncidentEvents.opened,
      key: incident.id,
      payload: summaryOf(incident, actor, at),
    });
    if (incident.promotionId) {
      const linked: IncidentLinked = {
        ...summaryOf(incident, actor, at),
        promotionId: incident.promotionId,
        reason: linkReason ?? 'linked when the incident opened',
      };
      await this.events.append(tx, { type: IncidentEvents.linked, key: incident.id, payload: linked });
    }
    await recordAudit(tx, {
      actor,
      action: 'incident.open',
      target: `incident/${incident.id}`,
      reason: incident.title,
      details: {
        source: incident.source,
        fingerprint: incident.fingerprint,
        service: incident.service,
        stage: incident.stage,
        severity: incident.severity,
        promotionId: incident.promotionId,
      },
    });
  }

  private async resolveIn(
    tx: Tx,
    incident: Incident,
    at: Date,
    actor: Actor,
    reason: string | undefined,
  ): Promise<Incident> {
    const resolved = await updateIncident(tx, incident, {
      status: 'resolved',
      resolvedBy: actor.name,
      resolvedAt: at,
      // A rollback still waiting for its promotion to finish is no longer wanted.
      ...(incident.rollback?.action === 'pending'
        ? { rollback: skipped('not rolled back: the incident resolved first', at) }
        : {}),
    });
    await this.events.append(tx, {
      type: IncidentEvents.resolved,
      key: incident.id,
      payload: summaryOf(resolved, actor, at),
    });
    await recordAudit(tx, { actor, action: 'incident.resolve', target: `incident/${incident.id}`, reason });
    return resolved;
  }

  private async checkServiceAndStage(tx: Tx, service: string, stage: string | null): Promise<void> {
    const row = await findService(tx, service);
    if (!row) {
      throw new NotFoundError(
        `service ${service} is not declared; see gantry status for the services Gantry knows`,
      );
    }
    if (!stage) return;
    const revision = await findRevision(tx, service, row.currentRevision);
    const stages = revision ? stageNamesOf(revision.spec) : [];
    if (!stages.includes(stage)) {
      throw new NotFoundError(
        `stage "${stage}" is not in the pipeline of ${service}; its stages are ${stages.join(', ')}`,
      );
    }
  }

  private async incidentOf(executor: Executor, id: string): Promise<Incident> {
    const incident = await findIncident(executor, id);
    if (!incident)
      throw new NotFoundError(`incident ${id} does not exist; list incidents with: gantry incident list`);
    return incident;
  }

  private async promotionOf(executor: Executor, id: string): Promise<Promotion> {
    const promotion = await findPromotion(executor, id);
    if (!promotion) {
      throw new NotFoundError(`promotion ${id} does not exist; list promotions with: gantry promotion list`);
    }
    return promotion;
  }
}

function skipped(reason: string, at: Date): IncidentRollback {
  return { action: 'skipped', promotionId: null, reason, at: at.toISOString() };
}

/** Refuses to link a promotion of another service or stage than the incident is about. */
function assertMatches(
  incident: { service: string | null; stage: string | null },
  promotion: Promotion,
  what: string,
): void {
  const otherService = incident.service !== null && incident.service !== promotion.service;
  const otherStage = incident.stage !== null && incident.stage !== promotion.stage;
  if (otherService || otherStage) {
    throw new ValidationError(
      `${what} is about ${incident.service}${incident.stage ? ` in ${incident.stage}` : ''}, but promotion ${promotion.id} moved ${promotion.service} into ${promotion.stage}`,
    );
  }
}

function summaryOf(incident: Incident, actor: Actor, at: Date): IncidentSummary {
  return {
    incidentId: incident.id,
    source: incident.source,
    title: incident.title,
    service: incident.service,
    stage: incident.stage,
    severity: incident.severity,
    promotionId: incident.promotionId,
    url: incident.url,
    actor: actor.name,
    at: at.toISOString(),
  };
}
