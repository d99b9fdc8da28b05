// Event types the incidents feature writes to the outbox, in the transaction
// that changes the incident. Notifications, DORA projections and the
// dashboard's stream consume them.

export const IncidentEvents = {
  opened: 'incident.opened',
  /** Linked to the promotion that caused it (on opening, or later by hand). */
  linked: 'incident.linked',
  resolved: 'incident.resolved',
} as const;

export interface IncidentSummary {
  incidentId: string;
  source: string;
  title: string;
  service: string | null;
  stage: string | null;
  severity: string | null;
  promotionId: string | null;
  url: string | null;
  actor: string;
  /** ISO 8601: when it opened, was linked or resolved. */
  at: string;
}

export type IncidentOpened = IncidentSummary;
export type IncidentLinked = IncidentSummary & { promotionId: string; reason: string };
export type IncidentResolved = IncidentSummary;
