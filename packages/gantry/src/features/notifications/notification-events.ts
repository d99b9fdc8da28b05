// What people subscribe to, in their words (promotion.succeeded, incident.opened),
// and how Gantry's own events map onto those words. A promotion has one
// internal event for every phase change; a notification names the phase it
// reached. Each notification carries a plain `data` object: the generic
// webhook sends it as it is, the Slack message is rendered from it.

import { IncidentEvents, type IncidentLinked, type IncidentSummary } from '../incidents/incident-events.js';
import {
  PromotionEvents,
  type PromotionPhaseChanged,
  type PromotionRequested,
} from '../promotions/promotion-events.js';
import type { PromotionPhase } from '../promotions/promotion-state-machine.js';

export const PROMOTION_NOTIFICATIONS = {
  'promotion.requested': 'a promotion was asked for (by hand, automatically, or as a rollback)',
  'promotion.waiting-for-approval': 'gates passed; the promotion waits for approvals',
  'promotion.started': 'the release is being applied to the stage',
  'promotion.succeeded': 'the release runs in the stage',
  'promotion.failed': 'gates, the apply or the verification failed',
  'promotion.rejected': 'an approver rejected the promotion',
  'promotion.aborted': 'someone aborted the promotion',
  'promotion.rolled-back': 'verification failed and the previous release was put back',
} as const;

export const INCIDENT_NOTIFICATIONS = {
  'incident.opened': 'an incident was opened (by an alert or by hand)',
  'incident.linked': 'an incident was linked to the promotion that caused it',
  'incident.resolved': 'an incident was resolved',
} as const;

export type PromotionNotificationType = keyof typeof PROMOTION_NOTIFICATIONS;
export type IncidentNotificationType = keyof typeof INCIDENT_NOTIFICATIONS;
export type NotificationType = PromotionNotificationType | IncidentNotificationType;

export const NOTIFICATION_TYPES = [
  ...Object.keys(PROMOTION_NOTIFICATIONS),
  ...Object.keys(INCIDENT_NOTIFICATIONS),
] as NotificationType[];

/** Patterns a subscription may use besides exact names. */
export const NOTIFICATION_WILDCARDS = ['*', 'promotion.*', 'incident.*'] as const;

/** The notification a phase change announces, if any (Pending, Verifying and the like announce none). */
const PHASE_NOTIFICATIONS: Partial<Record<PromotionPhase, PromotionNotificationType>> = {
  WaitingForApproval: 'promotion.waiting-for-approval',
  Applying: 'promotion.started',
  Succeeded: 'promotion.succeeded',
  Failed: 'promotion.failed',
  Rejected: 'promotion.rejected',
  Aborted: 'promotion.aborted',
  RolledBack: 'promotion.rolled-back',
};

/** `data` of promotion.* notifications (docs/notifications.md documents it). */
export interface PromotionNotificationData {
  promotionId: string;
  service: string;
  stage: string;
  version: string;
  releaseId: string;
  trigger: 'manual' | 'auto' | 'rollback';
  phase: PromotionPhase;
  previousPhase: PromotionPhase | null;
  actor: string;
  reason: string;
  /** Where people see the promotion in Gantry. */
  link: string;
}

/** `data` of incident.* notifications. */
export interface IncidentNotificationData {
  incidentId: string;
  title: string;
  source: string;
  service: string | null;
  stage: string | null;
  severity: string | null;
  promotionId: string | null;
  /** The alert's or tracker's own page, when the source gave one. */
  url: string | null;
  actor: string;
  /** Why it was linked (incident.linked), else null. */
  reason: string | null;
  /** The promotion in Gantry, when the incident is linked to one. */
  link: string | null;
}

/**
 * A test message (`gantry notifications test CHANNEL`): sent at once, never
 * queued, and not something a subscription can name.
 */
export const TEST_NOTIFICATION = 'notification.test';

/** `data` of a test message. */
export interface TestNotificationData {
  message: string;
  actor: string;
  /** Gantry's address. */
  link: string;
}

export type NotificationData = PromotionNotificationData | IncidentNotificationData | TestNotificationData;

/** A source event read as a notification: what it is called, what it is about, what it says. */
export interface Notification {
  type: NotificationType;
  service: string | null;
  stage: string | null;
  /** For listing deliveries: `checkout/prod`, `incident 0193…`. */
  subject: string;
  data: NotificationData;
}

/** Gantry's internal events the notifications consumer reads. */
export const SOURCE_EVENT_TYPES = [
  PromotionEvents.requested,
  PromotionEvents.phaseChanged,
  IncidentEvents.opened,
  IncidentEvents.linked,
  IncidentEvents.resolved,
] as const;

/** The internal event types that can produce notification `type`. */
export function sourceEventTypesOf(type: NotificationType): string[] {
  if (type === 'promotion.requested') return [PromotionEvents.requested];
  if (type in PROMOTION_NOTIFICATIONS) return [PromotionEvents.phaseChanged];
  return [type]; // incident notifications carry the event's own name
}

/** `/promotions/<id>` under the address people reach Gantry at. */
export function promotionLink(publicUrl: string, promotionId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/promotions/${encodeURIComponent(promotionId)}`;
}

/**
 * The notification an internal event announces, or undefined when it
 * announces none (a phase change into Verifying, an event of another type).
 */
export function notificationOf(
  eventType: string,
  payload: unknown,
  publicUrl: string,
): Notification | undefined {
  switch (eventType) {
    case PromotionEvents.requested: {
      const requested = payload as PromotionRequested;
      return promotionNotification('promotion.requested', {
        promotionId: requested.promotionId,
        service: requested.service,
        stage: requested.stage,
        version: requested.version,
        releaseId: requested.releaseId,
        trigger: requested.trigger,
        phase: 'Pending',
        previousPhase: null,
        actor: requested.requestedBy,
        reason: requestedReason(requested),
        link: promotionLink(publicUrl, requested.promotionId),
      });
    }
    case PromotionEvents.phaseChanged: {
      const changed = payload as PromotionPhaseChanged;
      const type = PHASE_NOTIFICATIONS[changed.to];
      // A freeze sending an approval wait back to gates and then forward again
      // is a second wait for approval: worth saying again. Other repeats cannot happen.
      if (!type) return undefined;
      return promotionNotification(type, {
        promotionId: changed.promotionId,
        service: changed.service,
        stage: changed.stage,
        version: changed.version,
        releaseId: changed.releaseId,
        trigger: changed.trigger,
        phase: changed.to,
        previousPhase: changed.from,
        actor: changed.actor,
        reason: changed.reason,
        link: promotionLink(publicUrl, changed.promotionId),
      });
    }
    case IncidentEvents.opened:
    case IncidentEvents.linked:
    case IncidentEvents.resolved: {
      const incident = payload as IncidentSummary & Partial<Pick<IncidentLinked, 'reason'>>;
      const data: IncidentNotificationData = {
        incidentId: incident.incidentId,
        title: incident.title,
        source: incident.source,
        service: incident.service ?? null,
        stage: incident.stage ?? null,
        severity: incident.severity ?? null,
        promotionId: incident.promotionId ?? null,
        url: incident.url ?? null,
        actor: incident.actor,
        reason: typeof incident.reason === 'string' ? incident.reason : null,
        link: incident.promotionId ? promotionLink(publicUrl, incident.promotionId) : null,
      };
      return {
        type: eventType,
        service: data.service,
        stage: data.stage,
        subject: `incident ${data.incidentId}`,
        data,
      };
    }
    default:
      return undefined;
  }
}

function promotionNotification(
  type: PromotionNotificationType,
  data: PromotionNotificationData,
): Notification {
  return { type, service: data.service, stage: data.stage, subject: `${data.service}/${data.stage}`, data };
}

function requestedReason(requested: PromotionRequested): string {
  switch (requested.trigger) {
    case 'auto':
      return `promoted automatically (requested by ${requested.requestedBy})`;
    case 'rollback':
      return `rollback requested by ${requested.requestedBy}`;
    default:
      return `requested by ${requested.requestedBy}`;
  }
}

export function isPromotionData(data: NotificationData): data is PromotionNotificationData {
  return 'promotionId' in data && 'phase' in data;
}

export function isIncidentData(data: NotificationData): data is IncidentNotificationData {
  return 'incidentId' in data;
}
