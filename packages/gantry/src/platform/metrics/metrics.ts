import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// Prometheus metrics. Each MetricsRegistry owns its prom-client registry (not
// the global one), so tests and several apps in one process do not collide.
// Values that live in the database (outbox backlog, dead letters) are read at
// scrape time through source callbacks; a failing source leaves its sample out
// of that scrape rather than failing the scrape or reporting a stale value.

export interface MetricsRegistryOptions {
  /** Process and Node.js metrics (CPU, memory, event loop, GC), prefixed gantry_. Default true. */
  defaultMetrics?: boolean;
}

export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(options: MetricsRegistryOptions = {}) {
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: this.registry, prefix: 'gantry_' });
    }
  }

  /** The Content-Type of `metrics()` output (Prometheus text format). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in the Prometheus text format; never rejects because of a failing source. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** HTTP requests by route pattern (never the raw URL, which would explode cardinality). */
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;

  constructor(readonly registry: MetricsRegistry) {
    const registers = [registry.registry];
    this.requests = new Counter({
      name: 'gantry_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gantry_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: SECONDS_BUCKETS,
      registers,
    });
  }

  /** `route` is the route pattern (`/releases/:id`), or `unmatched` when no route matched. */
  observe(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }
}

export interface OutboxStats {
  /** Unsent rows that are due now. */
  backlog: number;
  /** Age of the oldest unsent due row; 0 when there is none. */
  oldestAgeSeconds: number;
  /** Unsent rows due in the future (durable timers). */
  scheduled: number;
}

export type HandlerOutcome = 'success' | 'duplicate' | 'retry' | 'dead_letter' | 'requeued';

/**
 * The event backbone's metrics. Its `relayed`, `publishFailed` and `handled`
 * methods are the relay's and consumer runtime's instrumentation hooks.
 */
export class BackboneMetrics {
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

/** Calls a source; a throw or a rejection becomes undefined. */
async function settle<T>(source: () => Promise<T> | T | undefined): Promise<T | undefined> {
  try {
    return await source();
  } catch {
    return undefined;
  }
}

/** A gauge `collect` that sets the value read from `read`, or leaves the sample out when there is none. */
function sampleFrom(read: () => Promise<number | undefined> | undefined) {
  return async function collect(this: Gauge): Promise<void> {
    const value = await settle(read);
    if (typeof value === 'number' && Number.isFinite(value)) this.set(value);
    else this.remove();
  };
}
