import { Counter, Gauge, Histogram } from 'prom-client';
import { SECONDS_BUCKETS, settle, type MetricsRegistry } from '../../platform/metrics/metrics.js';
import type { DeliveryOutcome, NotificationInstrumentation } from './notification-sender.js';
import type { QueueCount } from './notifications.repository.js';

/** Notification metrics: attempts by channel and outcome, and the queue per channel, read at scrape time. */
export class NotificationMetrics implements NotificationInstrumentation {
  readonly deliveries: Counter<'channel' | 'outcome'>;
  readonly duration: Histogram<'channel'>;
  readonly queued: Gauge<'channel'>;
  readonly dead: Gauge<'channel'>;
  private source: (() => Promise<QueueCount[]>) | undefined;
  private inFlight: Promise<QueueCount[] | undefined> | undefined;

  constructor(registry: MetricsRegistry) {
    const registers = [registry.registry];
    const counts = () => this.counts();
    const gauge = (name: string, help: string, status: QueueCount['status']) =>
      new Gauge({
        name,
        help,
        labelNames: ['channel'],
        registers,
        async collect() {
          const rows = await counts();
          this.reset();
          for (const row of rows ?? []) {
            if (row.status === status) this.set({ channel: row.channel }, row.count);
          }
        },
      });
    this.deliveries = new Counter({
      name: 'gantry_notification_deliveries_total',
      help: 'Notification delivery attempts by channel and outcome (sent, retry, dead).',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gantry_notification_request_duration_seconds',
      help: 'Time one notification request took, by channel (timeouts included).',
      labelNames: ['channel'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.queued = gauge(
      'gantry_notification_queue_depth',
      'Notification deliveries waiting to be sent (due now or scheduled for a retry), by channel.',
      'pending',
    );
    this.dead = gauge(
      'gantry_notification_dead_deliveries',
      'Notification deliveries that gave up and wait for a replay, by channel.',
      'dead',
    );
  }

  /** Where the two queue gauges read per-channel counts at scrape time (one query per scrape). */
  setQueueSource(source: (() => Promise<QueueCount[]>) | undefined): void {
    this.source = source;
  }

  attempted(channel: string, outcome: DeliveryOutcome, seconds: number): void {
    this.deliveries.inc({ channel, outcome });
    this.duration.observe({ channel }, seconds);
  }

  private counts(): Promise<QueueCount[] | undefined> {
    const source = this.source;
    if (!source) return Promise.resolve(undefined);
    if (!this.inFlight) {
      const inFlight = settle(source);
      this.inFlight = inFlight;
      void inFlight.finally(() => {
        if (this.inFlight === inFlight) this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }
}
