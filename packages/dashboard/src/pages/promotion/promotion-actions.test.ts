import { describe, expect, it } from 'vitest';
import { canaryRollout } from './promotion-fixture';
import { consequence, promotionActions } from './promotion-actions';

describe('promotionActions', () => {
  it('offers approval while it waits for one', () => {
    expect(promotionActions({ phase: 'WaitingForApproval' })).toEqual(['approve', 'reject', 'abort']);
  });

  it('offers the rollout controls while it verifies', () => {
    expect(promotionActions({ phase: 'Verifying', rollout: canaryRollout() })).toEqual([
      'promoteFull',
      'abort',
    ]);
    expect(promotionActions({ phase: 'Verifying', rollout: canaryRollout({ status: 'Paused' }) })).toEqual([
      'resume',
      'promoteFull',
      'abort',
    ]);
    expect(
      promotionActions({
        phase: 'Verifying',
        rollout: canaryRollout({ pausedUntil: '2026-12-03T10:05:22Z' }),
      }),
    ).toEqual(['resume', 'promoteFull', 'abort']);
    expect(
      promotionActions({ phase: 'Verifying', rollout: canaryRollout({ status: 'RollingBack' }) }),
    ).toEqual(['abort']);
    expect(promotionActions({ phase: 'Verifying' })).toEqual(['abort']);
  });

  it('offers a retry after a failure and a rollback after a success', () => {
    for (const phase of ['Failed', 'Aborted', 'RolledBack', 'Rejected'] as const) {
      expect(promotionActions({ phase })).toEqual(['retry']);
    }
    expect(promotionActions({ phase: 'Succeeded' })).toEqual(['rollback']);
    expect(promotionActions({ phase: 'Pending' })).toEqual(['abort']);
  });
});

describe('consequence', () => {
  const promotion = {
    service: 'hello',
    stage: 'prod',
    version: '2026.12.2',
    phase: 'Verifying' as const,
    rollout: canaryRollout({ status: 'Paused', step: 2 }),
  };

  it('names the version, the stage and what comes next', () => {
    expect(consequence('approve', { ...promotion, phase: 'WaitingForApproval', rollout: undefined })).toMatch(
      /^2026\.12\.2 goes to prod: /,
    );
    expect(consequence('resume', promotion)).toMatch(
      /goes on with step 3: step 3 analysis \(error-rate\)\.$/,
    );
    expect(consequence('promoteFull', promotion)).toBe(
      '2026.12.2 takes every request in prod now (it takes 10 % now); the 3 remaining steps are skipped, analyses included, and the old version drains.',
    );
    expect(consequence('abort', promotion)).toMatch(/every request goes back to the stable version/);
    expect(consequence('abort', { ...promotion, phase: 'WaitingForApproval', rollout: undefined })).toMatch(
      /nothing was applied/,
    );
    expect(consequence('rollback', { ...promotion, phase: 'Succeeded' })).toMatch(
      /^prod goes back from 2026\.12\.2 to the release of hello that ran there before it /,
    );
  });
});
