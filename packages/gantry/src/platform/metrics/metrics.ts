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

export const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

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

/** Calls a source; a throw or a rejection becomes undefined. */
export async function settle<T>(source: () => Promise<T> | T | undefined): Promise<T | undefined> {
  try {
    return await source();
  } catch {
    return undefined;
  }
}

/** A gauge `collect` that sets the value read from `read`, or leaves the sample out when there is none. */
export function sampleFrom(read: () => Promise<number | undefined> | undefined) {
  return async function collect(this: Gauge): Promise<void> {
    const value = await settle(read);
    if (typeof value === 'number' && Number.isFinite(value)) this.set(value);
    else this.remove();
  };
}
