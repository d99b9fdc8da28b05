import type { Rollout } from '../../api/types';

// Where a rollout stands on each of its steps.

export type StepState = 'done' | 'current' | 'stopped' | 'next';

/** Rollout statuses after which the current step is where it stopped, not where it is. */
const STOPPED = ['RollingBack', 'RolledBack', 'Aborted'];

/** The state of step `index` (0-based); `rollout.step` is 1-based, steps.length + 1 once every step is done. */
export function stepState(rollout: Pick<Rollout, 'step' | 'status'>, index: number): StepState {
  const number = index + 1;
  if (rollout.status === 'Completed' || number < rollout.step) return 'done';
  if (number === rollout.step) return STOPPED.includes(rollout.status) ? 'stopped' : 'current';
  return 'next';
}
