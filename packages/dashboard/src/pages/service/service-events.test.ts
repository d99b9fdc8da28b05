import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../live/event-stream';
import { isAboutService, movesPromotion } from './service-events';

const event = (
  type: StreamEvent['type'],
  key: string,
  payload: Record<string, unknown> = {},
): StreamEvent => ({
  seq: 1,
  id: 'e1',
  type,
  key,
  occurredAt: '2026-11-30T09:00:00Z',
  payload,
});

describe('service events', () => {
  it('knows a service by the payload or by the stage key', () => {
    expect(
      isAboutService(event('release.registered', 'release:checkout', { service: 'checkout' }), 'checkout'),
    ).toBe(true);
    expect(isAboutService(event('promotion.decision-recorded', 'checkout/prod'), 'checkout')).toBe(true);
    expect(isAboutService(event('promotion.decision-recorded', 'checkout-api/prod'), 'checkout')).toBe(false);
  });

  it('tells promotion and rollout events from the rest', () => {
    expect(
      movesPromotion(event('rollout.progressed', 'checkout/prod', { service: 'checkout' }), 'checkout'),
    ).toBe(true);
    expect(
      movesPromotion(event('release.registered', 'release:checkout', { service: 'checkout' }), 'checkout'),
    ).toBe(false);
    expect(
      movesPromotion(event('promotion.phase-changed', 'cart/prod', { service: 'cart' }), 'checkout'),
    ).toBe(false);
  });
});
