import { describe, expect, it } from 'vitest';
import { BackboneMetrics, HttpMetrics, MetricsRegistry } from './metrics.js';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

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

describe('BackboneMetrics', () => {
  it('exposes every backbone metric with its type', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    new BackboneMetrics(registry);
    const text = await registry.metrics();
    for (const [name, type] of [
      ['gantry_outbox_backlog', 'gauge'],
      ['gantry_outbox_oldest_unsent_age_seconds', 'gauge'],
      ['gantry_outbox_scheduled', 'gauge'],
      ['gantry_events_relayed_total', 'counter'],
      ['gantry_relay_publish_failures_total', 'counter'],
      ['gantry_event_handler_total', 'counter'],
      ['gantry_event_handler_duration_seconds', 'histogram'],
      ['gantry_dead_letters', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    }
    // No source yet: no sample rather than a misleading 0.
    expect(sample(text, 'gantry_outbox_backlog')).toBeUndefined();
    expect(sample(text, 'gantry_dead_letters')).toBeUndefined();
  });

  it('reads the outbox gauges from one source call per scrape', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const metrics = new BackboneMetrics(registry);
    let calls = 0;
    let backlog = 12;
    metrics.setOutboxStatsSource(() => {
      calls += 1;
      return Promise.resolve({ backlog, oldestAgeSeconds: 3.5, scheduled: 4 });
    });
    metrics.setDeadLetterCountSource(() => Promise.resolve(2));

    let text = await registry.metrics();
    expect(calls).toBe(1);
    expect(sample(text, 'gantry_outbox_backlog')).toBe(12);
    expect(sample(text, 'gantry_outbox_oldest_unsent_age_seconds')).toBe(3.5);
    expect(sample(text, 'gantry_outbox_scheduled')).toBe(4);
    expect(sample(text, 'gantry_dead_letters')).toBe(2);

    backlog = 0;
    text = await registry.metrics();
    expect(calls).toBe(2);
    expect(sample(text, 'gantry_outbox_backlog')).toBe(0);
  });

  it('never fails a scrape because a source fails; the sample is left out', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const metrics = new BackboneMetrics(registry);
    metrics.setOutboxStatsSource(() => Promise.resolve({ backlog: 5, oldestAgeSeconds: 1, scheduled: 0 }));
    metrics.setDeadLetterCountSource(() => Promise.resolve(1));
    await registry.metrics();

    metrics.setOutboxStatsSource(() => Promise.reject(new Error('connection terminated')));
    metrics.setDeadLetterCountSource(() => {
      throw new Error('synchronous failure');
    });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE gantry_outbox_backlog gauge');
    expect(sample(text, 'gantry_outbox_backlog')).toBeUndefined();
    expect(sample(text, 'gantry_outbox_scheduled')).toBeUndefined();
    expect(sample(text, 'gantry_dead_letters')).toBeUndefined();

    metrics.setDeadLetterCountSource(() => Promise.resolve(Number.NaN));
    expect(sample(await registry.metrics(), 'gantry_dead_letters')).toBeUndefined();
  });

  it('counts relayed events, publish failures and handler outcomes', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const metrics = new BackboneMetrics(registry);
    metrics.relayed('nats', 500);
    metrics.relayed('nats', 20);
    metrics.publishFailed('nats');
    metrics.handled('promotions', 'release.created', 'success', 0.02);
    metrics.handled('promotions', 'release.created', 'retry', 0.5);
    metrics.handled('promotions', 'release.created', 'success', 0.01);
    const text = await registry.metrics();
    expect(sample(text, 'gantry_events_relayed_total{transport="nats"}')).toBe(520);
    expect(sample(text, 'gantry_relay_publish_failures_total{transport="nats"}')).toBe(1);
    expect(
      sample(text, 'gantry_event_handler_total{group="promotions",type="release.created",outcome="success"}'),
    ).toBe(2);
    expect(
      sample(text, 'gantry_event_handler_total{group="promotions",type="release.created",outcome="retry"}'),
    ).toBe(1);
    expect(sample(text, 'gantry_event_handler_duration_seconds_count{group="promotions"}')).toBe(3);
  });
});
