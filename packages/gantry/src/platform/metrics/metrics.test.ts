import { describe, expect, it } from 'vitest';
import { sample } from '../../testing/prometheus.js';
import { HttpMetrics, MetricsRegistry } from './metrics.js';

describe('MetricsRegistry', () => {
  it('has its own registry with gantry_-prefixed process metrics', async () => {
    const first = new MetricsRegistry();
    const second = new MetricsRegistry();
    new HttpMetrics(first);
    new HttpMetrics(second); // same names, another registry: no collision
    const text = await first.metrics();
    expect(text).toContain('# TYPE gantry_process_cpu_seconds_total counter');
    expect(text).toContain('gantry_nodejs_heap_size_used_bytes');
    expect(first.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('can leave the process metrics out', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    expect(await registry.metrics()).not.toContain('gantry_process_');
  });
});

describe('HttpMetrics', () => {
  it('counts requests and observes durations by route pattern', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const http = new HttpMetrics(registry);
    http.observe('GET', '/releases/:id', 200, 0.012);
    http.observe('GET', '/releases/:id', 200, 0.3);
    http.observe('POST', 'unmatched', 404, 0.001);
    const text = await registry.metrics();
    expect(sample(text, 'gantry_http_requests_total{method="GET",route="/releases/:id",status="200"}')).toBe(
      2,
    );
    expect(sample(text, 'gantry_http_requests_total{method="POST",route="unmatched",status="404"}')).toBe(1);
    expect(
      sample(text, 'gantry_http_request_duration_seconds_count{method="GET",route="/releases/:id"}'),
    ).toBe(2);
  });
});
