import { Counter, Gauge, Histogram } from 'prom-client';
import { sampleFrom, SECONDS_BUCKETS, settle, type MetricsRegistry } from '../../platform/metrics/metrics.js';
import type { BackboneInstrumentation, HandlerOutcome } from './instrumentation.js';
import type { OutboxStats } from './outbox.repository.js';

/**
 * The event backbone's metrics. Its `relayed`, `publishFailed` and `handled`
 * methods are the relay's and consumer runtime's instrumentation hooks.
 */
export class BackboneMetrics implements BackboneInstrumentation {
  readonly outboxBacklog: Gauge;
  readonly outboxOldestUnsentAge: Gauge;
  readonly outboxScheduled: Gauge;
  readonly eventsRelayed: Counter<'transport'>;
  readonly relayPublishFailures: Counter<'transport'>;
  readonly handlerOutcomes: Counter<'group' | 'type' | 'outcome'>;
  readonly handlerDuration: Histogram<'group'>;
  readonly deadLetters: Gauge;

  private outboxStatsSource: (() => Promise<OutboxStats>) | undefined;
  private deadLetterCountSource: (() => Promise<number>) | undefined;
  private outboxStatsInFlight: Promise<OutboxStats | undefined> | undefined;

  constructor(readonly registry: MetricsRegistry) {
    const registers = [registry.registry];
    const outboxGauge = (name: string, help: string, pick: (stats: OutboxStats) => number): Gauge =>
      new Gauge({
        name,
        help,
        registers,
        collect: sampleFrom(() => this.outboxStats().then((stats) => (stats ? pick(stats) : undefined))),
      });
    this.outboxBacklog = outboxGauge(
      'gantry_outbox_backlog',
      'Outbox events that are due and not yet published to the broker.',
      (stats) => stats.backlog,
    );
    this.outboxOldestUnsentAge = outboxGauge(
      'gantry_outbox_oldest_unsent_age_seconds',
      'Age of the oldest due outbox event not yet published (0 when none).',
      (stats) => stats.oldestAgeSeconds,
    );
    this.outboxScheduled = outboxGauge(
      'gantry_outbox_scheduled',
      'Outbox events scheduled for the future (durable timers) and not yet published.',
      (stats) => stats.scheduled,
    );
    this.eventsRelayed = new Counter({
      name: 'gantry_events_relayed_total',
      help: 'Events the relay published from the outbox to the broker, by transport.',
      labelNames: ['transport'],
      registers,
    });
    this.relayPublishFailures = new Counter({
      name: 'gantry_relay_publish_failures_total',
      help: 'Relay batches the broker did not confirm (they are published again), by transport.',
      labelNames: ['transport'],
      registers,
    });
    this.handlerOutcomes = new Counter({
      name: 'gantry_event_handler_total',
      help: 'Event deliveries handled by consumer groups, by group, event type and outcome (success, duplicate, retry, dead_letter, requeued).',
      labelNames: ['group', 'type', 'outcome'],
      registers,
    });
    this.handlerDuration = new Histogram({
      name: 'gantry_event_handler_duration_seconds',
      help: 'Time consumer groups spent handling one event delivery, by group.',
      labelNames: ['group'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
    this.deadLetters = new Gauge({
      name: 'gantry_dead_letters',
      help: 'Dead-lettered events not yet resolved (replayed or discarded).',
      registers,
      collect: sampleFrom(() => (this.deadLetterCountSource ? this.deadLetterCountSource() : undefined)),
    });
  }

  /** Where the three outbox gauges read from at scrape time (one call per scrape). */
  setOutboxStatsSource(source: (() => Promise<OutboxStats>) | undefined): void {
    this.outboxStatsSource = source;
    this.outboxStatsInFlight = undefined;
  }

  /** Where `gantry_dead_letters` reads the count of unresolved dead letters at scrape time. */
  setDeadLetterCountSource(source: (() => Promise<number>) | undefined): void {
    this.deadLetterCountSource = source;
  }

  relayed(transport: string, count: number): void {
    this.eventsRelayed.inc({ transport }, count);
  }

  publishFailed(transport: string): void {
    this.relayPublishFailures.inc({ transport });
  }

  handled(group: string, type: string, outcome: HandlerOutcome, seconds: number): void {
    this.handlerOutcomes.inc({ group, type, outcome });
    this.handlerDuration.observe({ group }, seconds);
  }

  // The three gauges are collected concurrently within one scrape; they share
  // the call in flight instead of querying three times.
  private outboxStats(): Promise<OutboxStats | undefined> {
    const source = this.outboxStatsSource;
    if (!source) return Promise.resolve(undefined);
    if (!this.outboxStatsInFlight) {
      const inFlight = settle(source);
      this.outboxStatsInFlight = inFlight;
      void inFlight.finally(() => {
        if (this.outboxStatsInFlight === inFlight) this.outboxStatsInFlight = undefined;
      });
    }
    return this.outboxStatsInFlight;
  }
}
