import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LATENCY_RELATIVE_ERROR, latencyBin, latencyQuantile, LATENCY_BINS } from './latency-histogram.js';
import { TrafficMetrics, type TrafficSelector } from './traffic-metrics.js';

const canary: TrafficSelector = { service: 'checkout', stage: 'prod', version: '2026.11.3', role: 'canary' };
const stable: TrafficSelector = { ...canary, version: '2026.11.2', role: 'stable' };

function setup(retentionMs?: number) {
  let now = Date.UTC(2026, 10, 30, 12, 0, 0);
  const registry = new Registry();
  const metrics = new TrafficMetrics(registry, { now: () => now, ...(retentionMs ? { retentionMs } : {}) });
  return {
    registry,
    metrics,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('TrafficMetrics windows', () => {
  it('reports an empty window for a selector never seen', () => {
    const window = setup().metrics.window(canary, 1_000);
    expect(window).toMatchObject({ requests: 0, errors: 0, durationSeconds: 0 });
    expect(window.latencyQuantile(0.5)).toBeUndefined();
  });

  it('counts requests and 5xx per selector within the window', () => {
    const { metrics, advance } = setup();
    for (let second = 0; second < 120; second++) {
      for (let index = 0; index < 10; index++) metrics.observe(canary, index === 0 ? 503 : 200, 0.01);
      metrics.observe(stable, 200, 0.02);
      advance(1_000);
    }
    // Now at 120.0 s after the first request; the current second has nothing yet.
    const last60 = metrics.window(canary, 60_000);
    expect(last60.requests).toBe(590);
    expect(last60.errors).toBe(59);
    expect(last60.durationSeconds).toBe(59);
    expect(last60.requests / last60.durationSeconds).toBe(10);
    expect(metrics.window(stable, 60_000).requests).toBe(59);
    expect(metrics.window({ ...canary, role: 'stable' }, 60_000).requests).toBe(0);
  });

  it('covers only the time since the first request of a new version', () => {
    const { metrics, advance } = setup();
    advance(400);
    metrics.observe(canary, 200, 0.01);
    advance(20_100);
    metrics.observe(canary, 200, 0.01);
    const window = metrics.window(canary, 60_000);
    expect(window.requests).toBe(2);
    expect(window.durationSeconds).toBeCloseTo(20.1, 6);
  });

  it('is empty for a selector never seen', () => {
    const { metrics } = setup();
    const window = metrics.window(canary, 60_000);
    expect(window).toMatchObject({ requests: 0, errors: 0, durationSeconds: 0 });
    expect(window.latencyQuantile(0.99)).toBeUndefined();
    expect(() => metrics.window(canary, 0)).toThrow(/positive/);
  });

  it('answers latency quantiles within the documented accuracy', () => {
    const { metrics, advance } = setup();
    // 1..1000 ms, spread over 10 s.
    for (let ms = 1; ms <= 1_000; ms++) {
      metrics.observe(canary, 200, ms / 1000);
      if (ms % 100 === 0) advance(1_000);
    }
    const window = metrics.window(canary, 60_000);
    for (const [q, exact] of [
      [0.5, 0.5],
      [0.9, 0.9],
      [0.99, 0.99],
    ] as const) {
      const answer = window.latencyQuantile(q)!;
      expect(Math.abs(answer - exact) / exact).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-9);
    }
    expect(window.latencyQuantile(0)).toBe(0.001);
    expect(window.latencyQuantile(1)).toBe(1);
    expect(() => window.latencyQuantile(99)).toThrow(/0 to 1/);
  });

  it('forgets selectors idle for longer than the retention, Prometheus series included', async () => {
    const { metrics, registry, advance } = setup(60_000);
    metrics.observe(canary, 200, 0.01);
    metrics.observe(stable, 500, 0.01);
    expect(await registry.metrics()).toContain('version="2026.11.3"');
    advance(30_000);
    metrics.observe(stable, 200, 0.01);
    advance(40_000);
    expect(metrics.window(canary, 60_000).durationSeconds).toBe(0);
    expect(metrics.window(stable, 60_000).requests).toBe(1);
    const text = await registry.metrics();
    expect(text).not.toContain('version="2026.11.3"');
    expect(text).toContain(
      'gantry_proxy_requests_total{service="checkout",stage="prod",version="2026.11.2",role="stable",code_class="5xx"} 1',
    );
  });

  it('exports Prometheus counters and a histogram by service, stage, version and role', async () => {
    const { metrics, registry } = setup();
    metrics.observe(canary, 200, 0.003);
    metrics.observe(canary, 200, 0.003);
    metrics.observe(canary, 502, 0.2);
    const text = await registry.metrics();
    expect(text).toContain(
      'gantry_proxy_requests_total{service="checkout",stage="prod",version="2026.11.3",role="canary",code_class="2xx"} 2',
    );
    expect(text).toContain(
      'gantry_proxy_requests_total{service="checkout",stage="prod",version="2026.11.3",role="canary",code_class="5xx"} 1',
    );
    expect(text).toContain(
      'gantry_proxy_request_duration_seconds_bucket{le="0.0025",service="checkout",stage="prod",version="2026.11.3",role="canary"} 0',
    );
    expect(text).toContain(
      'gantry_proxy_request_duration_seconds_bucket{le="0.005",service="checkout",stage="prod",version="2026.11.3",role="canary"} 2',
    );
  });
});

describe('latency histogram', () => {
  it('stays within its relative error from 100 µs to 100 s', () => {
    for (let seconds = 1e-4; seconds < 100; seconds *= 1.0137) {
      const counts = new Uint32Array(LATENCY_BINS);
      counts[latencyBin(seconds)] = 1;
      // min/max set wide so clamping does not hide the bin's own error.
      const answer = latencyQuantile(counts, 1, 0, 1_000, 0.5)!;
      expect(Math.abs(answer - seconds) / seconds).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-9);
    }
    expect(LATENCY_RELATIVE_ERROR).toBeLessThan(0.045);
    expect(latencyBin(0)).toBe(0);
    expect(latencyBin(Number.NaN)).toBe(0);
    expect(latencyBin(1e6)).toBe(LATENCY_BINS - 1);
  });
});
