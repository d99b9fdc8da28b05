import { describe, expect, it } from 'vitest';
import type { AlertChanged } from '../webhooks/inbound-events.js';
import { alertIncident, alertTime, DEFAULT_ALERT_LABEL_NAMES, MAX_TITLE_LENGTH } from './alert-mapping.js';

function alert(overrides: Partial<AlertChanged> = {}): AlertChanged {
  return {
    deliveryId: '{}:{alertname="HighErrorRate"}:firing',
    receiver: 'gantry',
    fingerprint: 'c1f2a3b4d5e6f708',
    status: 'firing',
    labels: { alertname: 'HighErrorRate', service: 'checkout', stage: 'prod', severity: 'critical' },
    annotations: { summary: 'checkout answers 12% errors', runbook_url: 'https://runbooks.example/5xx' },
    startsAt: '2026-11-20T10:02:03.456Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorUrl: 'http://prometheus:9090/graph?g0.expr=rate',
    ...overrides,
  };
}

describe('alertIncident', () => {
  it('maps the service and stage labels, the summary, severity and generator URL', () => {
    expect(alertIncident(alert(), DEFAULT_ALERT_LABEL_NAMES)).toEqual({
      fingerprint: 'c1f2a3b4d5e6f708',
      title: 'checkout answers 12% errors',
      service: 'checkout',
      stage: 'prod',
      severity: 'critical',
      url: 'http://prometheus:9090/graph?g0.expr=rate',
      labels: { alertname: 'HighErrorRate', service: 'checkout', stage: 'prod', severity: 'critical' },
      startedAt: new Date('2026-11-20T10:02:03.456Z'),
      endedAt: undefined,
    });
  });

  it('reads the label names it is configured with', () => {
    const mapped = alertIncident(
      alert({ labels: { alertname: 'Down', app: 'cart', env: 'staging', service: 'ignored', stage: 'qa' } }),
      { service: 'app', stage: 'env' },
    );
    expect(mapped).toMatchObject({ service: 'cart', stage: 'staging' });
  });

  it('without a stage label the incident is about the whole service', () => {
    const mapped = alertIncident(
      alert({ labels: { alertname: 'Down', service: 'cart' } }),
      DEFAULT_ALERT_LABEL_NAMES,
    );
    expect(mapped).toMatchObject({ service: 'cart', stage: null, severity: null });
  });

  it('without a service label it names no service and no stage, even with a stage label', () => {
    const mapped = alertIncident(
      alert({ labels: { alertname: 'DiskFull', stage: 'prod' } }),
      DEFAULT_ALERT_LABEL_NAMES,
    );
    expect(mapped).toMatchObject({ service: null, stage: null });
  });

  it('falls back to the alert name, then the fingerprint, for the title', () => {
    expect(alertIncident(alert({ annotations: {} }), DEFAULT_ALERT_LABEL_NAMES).title).toBe('HighErrorRate');
    expect(
      alertIncident(alert({ annotations: { summary: '  ' }, labels: {} }), DEFAULT_ALERT_LABEL_NAMES).title,
    ).toBe('alert c1f2a3b4d5e6f708');
  });

  it('cuts a very long summary', () => {
    const title = alertIncident(
      alert({ annotations: { summary: 'x'.repeat(1000) } }),
      DEFAULT_ALERT_LABEL_NAMES,
    ).title;
    expect(title).toHaveLength(MAX_TITLE_LENGTH);
    expect(title.endsWith('…')).toBe(true);
  });

  it('reads endsAt only once the alert resolved, and no URL when none was sent', () => {
    const { generatorUrl: _url, ...withoutUrl } = alert();
    const mapped = alertIncident(
      { ...withoutUrl, status: 'resolved', endsAt: '2026-11-20T10:30:00Z' },
      DEFAULT_ALERT_LABEL_NAMES,
    );
    expect(mapped.endedAt).toEqual(new Date('2026-11-20T10:30:00Z'));
    expect(mapped.url).toBeNull();
  });
});

describe('alertTime', () => {
  it("treats Alertmanager's zero time, garbage and absence as no time", () => {
    expect(alertTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(alertTime('yesterday')).toBeUndefined();
    expect(alertTime(undefined)).toBeUndefined();
    expect(alertTime('2026-11-20T10:02:03+01:00')).toEqual(new Date('2026-11-20T09:02:03Z'));
  });
});
