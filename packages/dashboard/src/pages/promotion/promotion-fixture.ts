import type { Promotion, Rollout } from '../../api/types';

// Promotions as Gantry answers them, for the page's tests: a prod canary of
// hello 2026.12.2 that waited for approval, then shifted 10 % and is being
// measured.

export function waitingPromotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: 'p1',
    service: 'hello',
    stage: 'prod',
    version: '2026.12.2',
    releaseId: 'r2',
    phase: 'WaitingForApproval',
    trigger: 'manual',
    requestedBy: 'dana',
    reason: 'weekly release',
    message: 'waiting for 1 approval (four eyes: not dana)',
    appliedRevision: null,
    pipelineRevision: 3,
    freezeOverride: null,
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:01.000Z',
    finishedAt: null,
    transitions: [
      {
        from: 'Pending',
        to: 'WaitingForGates',
        actor: 'gantry',
        reason: 'checking gates',
        at: '2026-12-03T10:00:00.500Z',
      },
      { from: null, to: 'Pending', actor: 'dana', reason: 'requested', at: '2026-12-03T10:00:00.000Z' },
      {
        from: 'WaitingForGates',
        to: 'WaitingForApproval',
        actor: 'gantry',
        reason: 'gates passed; prod needs 1 approval',
        at: '2026-12-03T10:00:01.000Z',
      },
    ],
    decisions: [],
    ...overrides,
  };
}

export function canaryRollout(overrides: Partial<Rollout> = {}): Rollout {
  return {
    strategy: 'canary',
    status: 'Progressing',
    step: 3,
    steps: [
      'set weight 10%',
      'pause 10s',
      'step 3 analysis (error-rate)',
      'set weight 50%',
      'set weight 100%',
    ],
    weight: 10,
    pausedUntil: null,
    message: 'step 3 of 5: step 3 analysis (error-rate)',
    history: [
      { at: '2026-12-03T10:05:00.000Z', step: 1, weight: 0, status: 'Progressing' },
      { at: '2026-12-03T10:05:02.000Z', step: 1, weight: 10, status: 'Progressing' },
      { at: '2026-12-03T10:05:12.000Z', step: 3, weight: 10, status: 'Progressing' },
    ],
    analysis: [
      {
        id: 'a1',
        label: 'step 3',
        phase: 'Running',
        message: null,
        startedAt: '2026-12-03T10:05:12.000Z',
        finishedAt: null,
        args: { service: 'hello', stage: 'prod', version: '2026.12.2' },
        metrics: [
          {
            name: 'error-rate',
            successCondition: 'result < 0.05',
            failureCondition: 'result >= 0.1',
            failureLimit: 1,
          },
        ],
        measurements: [
          {
            metric: 'error-rate',
            phase: 'Failed',
            value: 0.31,
            message: '0.31 met the failure condition result >= 0.1',
            startedAt: '2026-12-03T10:05:16.000Z',
            finishedAt: '2026-12-03T10:05:16.100Z',
          },
          {
            metric: 'error-rate',
            phase: 'Successful',
            value: 0.01,
            message: null,
            startedAt: '2026-12-03T10:05:14.000Z',
            finishedAt: '2026-12-03T10:05:14.100Z',
          },
        ],
      },
    ],
    ...overrides,
  };
}

export function verifyingPromotion(overrides: Partial<Promotion> = {}): Promotion {
  const waiting = waitingPromotion();
  return waitingPromotion({
    phase: 'Verifying',
    message: 'step 3 of 5: step 3 analysis (error-rate)',
    appliedRevision: 'local:hello@2026.12.2',
    transitions: [
      ...(waiting.transitions ?? []),
      {
        from: 'WaitingForApproval',
        to: 'Applying',
        actor: 'erin',
        reason: 'approved',
        at: '2026-12-03T10:04:00.000Z',
      },
      {
        from: 'Applying',
        to: 'Verifying',
        actor: 'gantry',
        reason: 'candidate healthy',
        at: '2026-12-03T10:05:00.000Z',
      },
    ],
    decisions: [
      { actor: 'erin', decision: 'approved', comment: 'smoke tests green', at: '2026-12-03T10:04:00.000Z' },
    ],
    rollout: canaryRollout(),
    ...overrides,
  });
}
