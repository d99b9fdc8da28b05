import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { NewEvent } from '../events/event.js';
import { InboundEvents, type AlertChanged } from './inbound-events.js';
import { instant, parsePayload, type Translation } from './translation.js';

// Alertmanager's webhook_config notification (payload version 4) into one
// alert.changed event per alert, keyed by the alert's fingerprint so the
// events of one alert stay in order.
//
// Alertmanager sends no delivery id. A notification is identified by its
// group key, the group's status and each alert's fingerprint, status and
// times: a retry of the same notification (Alertmanager retries until it
// gets a 2xx) carries the same alerts and is dropped, while a group that
// changed (an alert joined, one resolved) is a new notification.

/** Alertmanager writes this for an alert that has not ended. */
const ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?Z$/;

const stringMap = z.record(z.string(), z.string());

const alert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.nullish(),
  startsAt: instant,
  endsAt: instant.nullish(),
  generatorURL: z.string().nullish(),
  fingerprint: z.string().regex(/^[0-9a-zA-Z]{1,64}$/, 'is not an alert fingerprint'),
});

export const alertmanagerPayload = z.looseObject({
  version: z.literal('4', { error: 'is not 4; Gantry reads Alertmanager webhook payload version 4' }),
  groupKey: z.string().min(1),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  truncatedAlerts: z.number().int().nonnegative().nullish(),
  alerts: z.array(alert),
});

export type AlertmanagerPayload = z.output<typeof alertmanagerPayload>;

/** The id that deduplicates a notification (see above). */
export function alertmanagerDeliveryId(payload: AlertmanagerPayload): string {
  const alerts = payload.alerts
    .map((item) => [item.fingerprint, item.status, item.startsAt, item.endsAt ?? ''].join(' '))
    .sort();
  const digest = createHash('sha256')
    .update([payload.groupKey, payload.status, ...alerts].join('\n'))
    .digest('hex');
  return `sha256:${digest}`;
}

/** The events a verified Alertmanager notification stands for. */
export function translateAlertmanager(body: unknown): Translation {
  const payload = parsePayload(alertmanagerPayload, body, 'Alertmanager payload');
  const event = payload.status;
  if (payload.alerts.length === 0) {
    return { kind: 'ignored', event, reason: 'the notification lists no alerts' };
  }
  const deliveryId = alertmanagerDeliveryId(payload);
  const events: NewEvent<AlertChanged>[] = payload.alerts.map((item) => {
    const endsAt = item.endsAt && !ZERO_TIME.test(item.endsAt) ? item.endsAt : undefined;
    const changed: AlertChanged = {
      deliveryId,
      receiver: payload.receiver,
      fingerprint: item.fingerprint,
      status: item.status,
      labels: item.labels,
      annotations: item.annotations ?? {},
      startsAt: item.startsAt,
      ...(endsAt ? { endsAt } : {}),
      ...(item.generatorURL ? { generatorUrl: item.generatorURL } : {}),
    };
    return { type: InboundEvents.alertChanged, key: item.fingerprint, payload: changed };
  });
  return { kind: 'events', event, deliveryId, events };
}
