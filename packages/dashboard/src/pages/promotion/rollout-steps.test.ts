import { describe, expect, it } from 'vitest';
import { stepState } from './rollout-steps';

describe('stepState', () => {
  const states = (step: number, status: string, count = 4) =>
    Array.from({ length: count }, (_, index) => stepState({ step, status }, index));

  it('marks the steps before the current one done and the rest to come', () => {
    expect(states(2, 'Progressing')).toEqual(['done', 'current', 'next', 'next']);
  });

  it('marks where a rollback or an abort stopped it', () => {
    expect(states(3, 'RolledBack')).toEqual(['done', 'done', 'stopped', 'next']);
  });

  it('marks every step done once completed', () => {
    expect(states(5, 'Completed')).toEqual(['done', 'done', 'done', 'done']);
    expect(states(4, 'Completed')).toEqual(['done', 'done', 'done', 'done']);
  });
});
