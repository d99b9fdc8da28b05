import type { AlertChanged } from '../webhooks/inbound-events.js';

// How one Alertmanager alert reads as an incident: which service and stage
// its labels name, its title, severity and link. Pure, so the mapping rules
// are tested without a database.

/** The label names that say which service and stage an alert is about (GANTRY_ALERT_SERVICE_LABEL, GANTRY_ALERT_STAGE_LABEL). */
export interface AlertLabelNames {
  service: string;
  stage: string;
}

export const DEFAULT_ALERT_LABEL_NAMES: AlertLabelNames = { service: 'service', stage: 'stage' };

export interface AlertIncident {
  fingerprint: string;
  title: string;
  /** Null when the alert has no service label: the incident is about no particular service. */
  service: string | null;
  /** Null without a stage label (a service-level incident), or without a service. */
  stage: string | null;
  severity: string | null;
  url: string | null;
  labels: Record<string, string>;
  /** The alert's startsAt; undefined when Alertmanager sent none that reads as a time. */
  startedAt: Date | undefined;
  /** The alert's endsAt once resolved; undefined while firing or when unreadable. */
  endedAt: Date | undefined;
}

/** Titles longer than this are cut (an annotation can hold a whole runbook). */
export const MAX_TITLE_LENGTH = 200;

export function alertIncident(alert: AlertChanged, names: AlertLabelNames): AlertIncident {
  const labels = alert.labels ?? {};
  const annotations = alert.annotations ?? {};
  const service = nonEmpty(labels[names.service]);
  const title = nonEmpty(annotations.summary) ?? nonEmpty(labels.alertname) ?? `alert ${alert.fingerprint}`;
  return {
    fingerprint: alert.fingerprint,
    title: title.length > MAX_TITLE_LENGTH ? `${title.slice(0, MAX_TITLE_LENGTH - 1)}…` : title,
    service,
    stage: service ? nonEmpty(labels[names.stage]) : null,
    severity: nonEmpty(labels.severity),
    url: nonEmpty(alert.generatorUrl),
    labels: { ...labels },
    startedAt: alertTime(alert.startsAt),
    endedAt: alert.status === 'resolved' ? alertTime(alert.endsAt) : undefined,
  };
}

/**
 * A time Alertmanager sent, or undefined: absent, unreadable, or its zero
 * time (0001-01-01T00:00:00Z, which it sends for "not set").
 */
export function alertTime(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || at.getUTCFullYear() <= 1) return undefined;
  return at;
}

function nonEmpty(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}
