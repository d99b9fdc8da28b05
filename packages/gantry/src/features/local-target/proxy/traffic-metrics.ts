import { Counter, Histogram, type Registry } from 'prom-client';
import { SECONDS_BUCKETS } from '../../../platform/metrics/metrics.js';
import { LATENCY_BINS, latencyBin, latencyQuantile } from './latency-histogram.js';

// What the local target's proxies saw, per (service, stage, version, role),
// in two forms:
//
// - Prometheus series on Gantry's registry, for dashboards and for the
//   `prometheus` analysis provider.
// - Sliding windows in memory, for the built-in analysis provider: one bucket
//   per second in a ring (10 minutes by default), each with request and 5xx
//   counts and a log-scale latency histogram (see latency-histogram.ts, within
//   4.4 %). A window merges the buckets of the seconds it covers.
//
// Memory is bounded: one ring per selector that had traffic within the
// retention, at most retention-seconds × (162 × 4 + ~40) bytes each (about
// 400 KiB for a selector busy every second of 10 minutes). A selector without
// traffic for longer than the retention is dropped, with its Prometheus series,
// so versions long gone do not accumulate; Prometheus sees a counter that
// comes back as a reset, which rate() handles.

export interface TrafficSelector {
  service: string;
  stage: string;
  version: string;
  role: 'stable' | 'canary';
}

export interface TrafficWindow {
  requests: number;
  /** Responses with a 5xx status, including the proxy's own 502 and 503. */
  errors: number;
  /**
   * The time the window covers, in seconds: from the start of the oldest
   * second bucket in the window, or from the selector's first request when
   * that is later (a canary started 20 s ago has a 20 s window, not 60), up
   * to now. Whole-second buckets make it up to 1 s shorter than asked for.
   * So requests / durationSeconds is the request rate. It is 0 for a selector
   * never seen (or dropped), and very short right after its first request.
   */
  durationSeconds: number;
  /**
   * Latency in seconds at quantile q (0..1, e.g. 0.99), from the time a
   * request arrived to the end of its response; undefined without requests.
   */
  latencyQuantile(q: number): number | undefined;
}

export interface TrafficWindowSource {
  window(selector: TrafficSelector, windowMs: number): TrafficWindow;
}

export interface TrafficMetricsOptions {
  /** How long per-second buckets are kept, in ms (default 10 minutes). Longer windows are cut to it. */
  retentionMs?: number;
  /** Clock in ms since the epoch (tests). */
  now?: () => number;
}

/** Request latency buckets, finer below 5 ms than Gantry's API buckets: a proxy hop is often sub-millisecond. */
export const PROXY_SECONDS_BUCKETS = [0.001, 0.0025, ...SECONDS_BUCKETS];

const DEFAULT_RETENTION_MS = 10 * 60_000;

type Labels = { service: string; stage: string; version: string; role: 'stable' | 'canary' };

interface SecondBucket {
  second: number;
  requests: number;
  errors: number;
  min: number;
  max: number;
  bins: Uint32Array;
}

interface Series {
  labels: Labels;
  slots: (SecondBucket | undefined)[];
  firstSeenMs: number;
  lastSeenMs: number;
  /** Label objects of the request counter, one per status class seen (reused on every request). */
  classes: Map<string, Labels & { code_class: string }>;
}

/** `2xx`, `5xx`, …; `other` for anything outside 100..599. */
export function codeClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

export class TrafficMetrics implements TrafficWindowSource {
  readonly requests: Counter<'service' | 'stage' | 'version' | 'role' | 'code_class'>;
  readonly duration: Histogram<'service' | 'stage' | 'version' | 'role'>;
  private readonly series = new Map<string, Series>();
  private readonly retentionSeconds: number;
  private readonly now: () => number;
  private lastSweepMs = 0;

  /** `registry`: a prom-client Registry, or Gantry's MetricsRegistry (which holds one). */
  constructor(registry: Registry | { registry: Registry }, options: TrafficMetricsOptions = {}) {
    const registers = ['registry' in registry ? registry.registry : registry];
    const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    if (!Number.isFinite(retentionMs) || retentionMs < 1_000) {
      throw new RangeError(`retentionMs must be at least 1000, got ${String(retentionMs)}`);
    }
    this.retentionSeconds = Math.ceil(retentionMs / 1000);
    this.now = options.now ?? Date.now;
    this.requests = new Counter({
      name: 'gantry_proxy_requests_total',
      help: "Requests answered by the local target's traffic proxies, by service, stage, version, role and status class.",
      labelNames: ['service', 'stage', 'version', 'role', 'code_class'],
      registers,
    });
    this.duration = new Histogram({
      name: 'gantry_proxy_request_duration_seconds',
      help: "Time from a request reaching the local target's traffic proxy to the end of its response.",
      labelNames: ['service', 'stage', 'version', 'role'],
      buckets: PROXY_SECONDS_BUCKETS,
      registers,
    });
  }

  /** Records one answered request: its status (5xx counts as an error) and its latency in seconds. */
  observe(selector: TrafficSelector, status: number, seconds: number): void {
    const now = this.now();
    this.sweep(now);
    const latency = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    const key = seriesKey(selector);
    let series = this.series.get(key);
    if (!series) {
      const { service, stage, version, role } = selector;
      series = {
        labels: { service, stage, version, role },
        slots: new Array<SecondBucket | undefined>(this.retentionSeconds),
        firstSeenMs: now,
        lastSeenMs: now,
        classes: new Map(),
      };
      this.series.set(key, series);
    }
    series.lastSeenMs = Math.max(series.lastSeenMs, now);

    const second = Math.floor(now / 1000);
    const index = ringIndex(second, this.retentionSeconds);
    let bucket = series.slots[index];
    if (!bucket) {
      bucket = {
        second,
        requests: 0,
        errors: 0,
        min: Infinity,
        max: -Infinity,
        bins: new Uint32Array(LATENCY_BINS),
      };
      series.slots[index] = bucket;
    } else if (bucket.second !== second) {
      bucket.second = second;
      bucket.requests = 0;
      bucket.errors = 0;
      bucket.min = Infinity;
      bucket.max = -Infinity;
      bucket.bins.fill(0);
    }
    bucket.requests++;
    if (status >= 500) bucket.errors++;
    bucket.bins[latencyBin(latency)]!++;
    if (latency < bucket.min) bucket.min = latency;
    if (latency > bucket.max) bucket.max = latency;

    const statusClass = codeClass(status);
    let classLabels = series.classes.get(statusClass);
    if (!classLabels) {
      classLabels = { ...series.labels, code_class: statusClass };
      series.classes.set(statusClass, classLabels);
    }
    this.requests.inc(classLabels);
    this.duration.observe(series.labels, latency);
  }

  window(selector: TrafficSelector, windowMs: number): TrafficWindow {
    if (typeof windowMs !== 'number' || !(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new RangeError(`a traffic window is a positive number of milliseconds, got ${String(windowMs)}`);
    }
    const now = this.now();
    this.sweep(now);
    const series = this.series.get(seriesKey(selector));
    if (!series) return emptyWindow();

    const seconds = Math.min(Math.ceil(windowMs / 1000), this.retentionSeconds);
    const nowSecond = Math.floor(now / 1000);
    const fromSecond = nowSecond - seconds + 1;
    // Bucket-aligned on the old side, so the counted buckets cover exactly
    // [start, now]; the first request has no earlier ones to leave out.
    const start = Math.max(fromSecond * 1000, series.firstSeenMs);
    const bins = new Uint32Array(LATENCY_BINS);
    let requests = 0;
    let errors = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const bucket of series.slots) {
      if (!bucket || bucket.second < fromSecond || bucket.second > nowSecond || bucket.requests === 0)
        continue;
      requests += bucket.requests;
      errors += bucket.errors;
      if (bucket.min < min) min = bucket.min;
      if (bucket.max > max) max = bucket.max;
      for (let bin = 0; bin < LATENCY_BINS; bin++) bins[bin]! += bucket.bins[bin]!;
    }
    return {
      requests,
      errors,
      durationSeconds: Math.max(0, now - start) / 1000,
      latencyQuantile: (q: number) => latencyQuantile(bins, requests, min, max, q),
    };
  }

  /** Forgets selectors without traffic for longer than the retention (at most every 10 s). */
  private sweep(now: number): void {
    if (now - this.lastSweepMs < Math.min(10_000, this.retentionSeconds * 100)) return;
    this.lastSweepMs = now;
    const oldest = now - this.retentionSeconds * 1000;
    for (const [key, series] of this.series) {
      if (series.lastSeenMs >= oldest) continue;
      this.series.delete(key);
      for (const labels of series.classes.values()) this.requests.remove(labels);
      this.duration.remove(series.labels);
    }
  }
}

function seriesKey(selector: TrafficSelector): string {
  return `${selector.service}\u0000${selector.stage}\u0000${selector.version}\u0000${selector.role}`;
}

function ringIndex(second: number, size: number): number {
  return ((second % size) + size) % size;
}

function emptyWindow(): TrafficWindow {
  return { requests: 0, errors: 0, durationSeconds: 0, latencyQuantile: () => undefined };
}
