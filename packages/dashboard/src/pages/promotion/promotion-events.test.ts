import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../live/event-stream';
import { concernsPromotion, POLL_MS, pollInterval } from './promotion-events';

const event = (type: StreamEvent['type'], promotionId: string): StreamEvent => ({
  seq: 1,
  id: 'e1',
  type,
  key: 'hello/prod',
  occurredAt: '2026-12-03T10:00:00Z',
  payload: { promotionId },
});

describe('concernsPromotion', () => {
  it('takes promotion and rollout events of this promotion only', () => {
    expect(concernsPromotion(event('promotion.phase-changed', 'p1'), 'p1')).toBe(true);
    expect(concernsPromotion(event('promotion.decision-recorded', 'p1'), 'p1')).toBe(true);
    expect(concernsPromotion(event('rollout.progressed', 'p1'), 'p1')).toBe(true);
    expect(concernsPromotion(event('rollout.progressed', 'p2'), 'p1')).toBe(false);
    expect(concernsPromotion(event('release.registered', 'p1'), 'p1')).toBe(false);
  });
});

describe('pollInterval', () => {
  it('polls while the rollout verifies, even with the stream live', () => {
    expect(pollInterval('Verifying', 'live')).toBe(POLL_MS);
  });

  it('polls an unfinished promotion while the stream is not live', () => {
    expect(pollInterval('Applying', 'live')).toBeUndefined();
    expect(pollInterval('Applying', 'offline')).toBe(POLL_MS);
    expect(pollInterval('WaitingForApproval', 'connecting')).toBe(POLL_MS);
  });

  it('never polls a finished promotion, nor before it is loaded', () => {
    expect(pollInterval('Succeeded', 'offline')).toBeUndefined();
    expect(pollInterval('RolledBack', 'live')).toBeUndefined();
    expect(pollInterval(undefined, 'offline')).toBeUndefined();
  });
});
