import { describe, expect, it } from 'vitest';
import { historyAfter, type Rollout } from './rollouts.repository.js';

const AT = new Date('2026-12-01T10:00:00Z');

function rollout(overrides: Partial<Rollout> = {}): Rollout {
  return {
    stepIndex: 1,
    weight: 10,
    status: 'Progressing',
    history: [{ at: '2026-12-01T09:59:00.000Z', stepIndex: 0, weight: 0, status: 'Progressing' }],
    ...overrides,
  } as Rollout;
}

describe('historyAfter', () => {
  it('adds an entry when the step, weight or status changes', () => {
    expect(historyAfter(rollout(), { weight: 25, stepIndex: 2 }, AT).at(-1)).toEqual({
      at: AT.toISOString(),
      stepIndex: 2,
      weight: 25,
      status: 'Progressing',
    });
    expect(historyAfter(rollout(), { status: 'RollingBack' }, AT)).toHaveLength(2);
  });

  it('adds nothing for a change of message or pause alone', () => {
    const current = rollout();
    expect(historyAfter(current, {}, AT)).toBe(current.history);
    expect(historyAfter(current, { weight: 10 }, AT)).toBe(current.history);
  });
});
