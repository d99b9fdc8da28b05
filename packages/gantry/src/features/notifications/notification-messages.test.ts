import { describe, expect, it } from 'vitest';
import type { PromotionPhaseChanged } from '../promotions/promotion-events.js';
import { notificationOf, type PromotionNotificationData } from './notification-events.js';
import { escape, slackMessage, webhookBody } from './notification-messages.js';
import { retryAfterMs, scrubSecrets } from './notification-sender.js';

const changed = (to: PromotionPhaseChanged['to'], reason = 'rollout finished'): PromotionPhaseChanged => ({
  promotionId: '0193a1b2-0000-7000-8000-000000000001',
  service: 'checkout',
  stage: 'prod',
  releaseId: '0193a1b2-0000-7000-8000-000000000002',
  version: '2026.11.3',
  trigger: 'manual',
  from: 'Verifying',
  to,
  actor: 'alice',
  reason,
  at: '2026-11-30T10:00:00.000Z',
});

describe('notificationOf', () => {
  it('names a phase change by the phase it reached, with a link to the promotion', () => {
    const notification = notificationOf(
      'promotion.phase-changed',
      changed('RolledBack'),
      'https://gantry.example.com/',
    );
    expect(notification).toMatchObject({
      type: 'promotion.rolled-back',
      service: 'checkout',
      stage: 'prod',
      subject: 'checkout/prod',
      data: {
        phase: 'RolledBack',
        previousPhase: 'Verifying',
        actor: 'alice',
        link: 'https://gantry.example.com/promotions/0193a1b2-0000-7000-8000-000000000001',
      },
    });
  });

  it('announces nothing for phases people do not subscribe to', () => {
    expect(notificationOf('promotion.phase-changed', changed('Verifying'), 'http://x')).toBeUndefined();
    expect(notificationOf('promotion.recheck', {}, 'http://x')).toBeUndefined();
  });

  it('reads incident events, linking the promotion when there is one', () => {
    const notification = notificationOf(
      'incident.linked',
      {
        incidentId: 'i-1',
        source: 'alertmanager',
        title: 'HighErrorRate',
        service: 'checkout',
        stage: 'prod',
        severity: 'critical',
        promotionId: 'p-1',
        url: null,
        actor: 'system:incidents',
        at: '2026-11-30T10:00:00.000Z',
        reason: 'latest promotion into checkout/prod',
      },
      'http://gantry:7070',
    );
    expect(notification).toMatchObject({
      type: 'incident.linked',
      subject: 'incident i-1',
      data: { reason: 'latest promotion into checkout/prod', link: 'http://gantry:7070/promotions/p-1' },
    });
  });
});

describe('messages', () => {
  const notification = notificationOf(
    'promotion.phase-changed',
    changed('Failed', 'error rate 7% > 5% <b>'),
    'http://g',
  )!;
  const content = {
    eventId: '0193a1b2-0000-7000-8000-0000000000ee',
    type: notification.type,
    occurredAt: new Date('2026-11-30T10:00:00.000Z'),
    data: notification.data,
  };

  it('a Slack message says service, stage, version, phase, reason, actor and links the promotion', () => {
    const message = slackMessage(content);
    const data = notification.data as PromotionNotificationData;
    expect(message.text).toBe(
      `❌ checkout 2026.11.3 failed in prod: error rate 7% &gt; 5% &lt;b&gt; <${data.link}|View promotion>`,
    );
    expect(message.attachments[0]).toMatchObject({
      color: '#e01e5a',
      title: 'checkout 2026.11.3 → prod',
      title_link: data.link,
      text: 'error rate 7% &gt; 5% &lt;b&gt;',
      ts: 1796032800,
    });
    expect(message.attachments[0]!.fields.map((field) => [field.title, field.value])).toEqual([
      ['Service', 'checkout'],
      ['Stage', 'prod'],
      ['Version', '2026.11.3'],
      ['Phase', '❌ failed'],
      ['By', 'alice'],
      ['Trigger', 'manual'],
    ]);
  });

  it('a webhook body is {id, type, occurredAt, data}', () => {
    expect(JSON.parse(webhookBody(content))).toEqual({
      id: content.eventId,
      type: 'promotion.failed',
      occurredAt: '2026-11-30T10:00:00.000Z',
      data: notification.data,
    });
  });

  it("escapes Slack's control characters only", () => {
    expect(escape('a & b < c > d *e*')).toBe('a &amp; b &lt; c &gt; d *e*');
  });
});

describe('sender helpers', () => {
  it('reads Retry-After as seconds or a date', () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('takes the URL, its path and the signing secret out of a message', () => {
    const resolved = { url: 'https://hooks.slack.com/services/T0/B0/SECRETPART', secret: 'sign-key' };
    expect(
      scrubSecrets(
        'posting to https://hooks.slack.com/services/T0/B0/SECRETPART failed at /services/T0/B0/SECRETPART with sign-key',
        resolved,
      ),
    ).toBe('posting to *** failed at *** with ***');
  });
});
