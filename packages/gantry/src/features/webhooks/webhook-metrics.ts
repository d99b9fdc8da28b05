import { Counter } from 'prom-client';
import type { MetricsRegistry } from '../../platform/metrics/metrics.js';
import type { WebhookProvider } from './webhook-auth.js';

/**
 * What became of a delivery: accepted (events written, or the release
 * registered), duplicate (seen before), ignored (nothing to do), unauthorized,
 * invalid (not JSON, or not the payload expected), too_large (over 1 MiB),
 * not_configured (the endpoint has no secret) or failed (Gantry could not
 * store it; the sender should retry).
 */
export type WebhookOutcome =
  | 'accepted'
  | 'duplicate'
  | 'ignored'
  | 'unauthorized'
  | 'invalid'
  | 'too_large'
  | 'not_configured'
  | 'failed';

/** The outcome of a delivery that was refused before a handler could say. */
export function outcomeForStatus(status: number): WebhookOutcome {
  if (status === 401) return 'unauthorized';
  if (status === 413) return 'too_large';
  if (status >= 500) return 'failed';
  if (status >= 400) return 'invalid';
  return 'accepted';
}

export class WebhookMetrics {
  readonly deliveries: Counter<'provider' | 'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.deliveries = new Counter({
      name: 'gantry_webhook_deliveries_total',
      help: 'Webhook deliveries received, by provider (github, gitlab, alertmanager, ci) and outcome.',
      labelNames: ['provider', 'outcome'],
      registers: [registry.registry],
    });
  }

  count(provider: WebhookProvider, outcome: WebhookOutcome): void {
    this.deliveries.inc({ provider, outcome });
  }
}
