import type { ConsumerRegistry } from '../events/consumers/consumer-registry.js';
import { InboundEvents, type AlertChanged } from '../webhooks/inbound-events.js';
import {
  INCIDENT_ROLLBACK_DUE,
  type IncidentRollbackDue,
  type IncidentsService,
} from './incidents.service.js';

/** The consumer group that turns alerts into incidents. */
export const INCIDENTS_GROUP = 'incidents';

/**
 * Alerts from Alertmanager (written to the outbox by the webhook endpoint)
 * open and resolve incidents; the rollback timer decides again about a
 * promotion that was finishing when its incident opened. Each handler runs in
 * the transaction that records the event as processed, so a redelivered alert
 * never opens a second incident or rolls back twice.
 */
export function registerIncidentConsumers(registry: ConsumerRegistry, incidents: IncidentsService): void {
  registry.register<AlertChanged>({
    group: INCIDENTS_GROUP,
    eventType: InboundEvents.alertChanged,
    handle: (event, tx, context) => incidents.onAlert(tx, event.payload, context),
  });
  registry.register<IncidentRollbackDue>({
    group: INCIDENTS_GROUP,
    eventType: INCIDENT_ROLLBACK_DUE,
    handle: (event, tx, context) => incidents.onRollbackDue(tx, event.payload.incidentId, context),
  });
}
