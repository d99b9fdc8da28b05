import { describe, expect, it } from 'vitest';
import { sample } from '../../testing/prometheus.js';
import { MetricsRegistry } from '../../platform/metrics/metrics.js';
import { BackboneMetrics } from './backbone-metrics.js';

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
