import { describe, expect, it } from 'vitest';
import { decideRollback, type RollbackFacts } from './incident-rollback.js';

const SUCCEEDED_AT = new Date('2026-11-20T10:00:00Z');
const MINUTE = 60_000;

function facts(
  overrides: Partial<RollbackFacts> = {},
  promotion: Partial<RollbackFacts['promotion']> = {},
): RollbackFacts {
  return {
    policy: {},
    defaultWindowMs: 30 * MINUTE,
    promotion: {
      id: '01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42',
      phase: 'Succeeded',
      trigger: 'auto',
      stage: 'prod',
      version: '2026.11.3',
      finishedAt: SUCCEEDED_AT,
      ...promotion,
    },
    startedAt: new Date(SUCCEEDED_AT.getTime() + 10 * MINUTE),
    ...overrides,
  };
}

describe('decideRollback', () => {
  it('withdraws a promotion that is still verifying (its canary running or paused)', () => {
    for (const rolloutStatus of ['Progressing', 'Paused', undefined] as const) {
      const decision = decideRollback(
        facts(rolloutStatus ? { rolloutStatus } : {}, { phase: 'Verifying', finishedAt: null }),
      );
      expect(decision).toEqual({ action: 'withdraw', reason: '2026.11.3 in prod was still verifying' });
    }
  });

  it('waits for a verifying promotion whose rollout is already promoting, and leaves one rolling back alone', () => {
    const verifying = { phase: 'Verifying' as const, finishedAt: null };
    expect(decideRollback(facts({ rolloutStatus: 'Promoting' }, verifying)).action).toBe('wait');
    expect(decideRollback(facts({ rolloutStatus: 'Completed' }, verifying)).action).toBe('wait');
    expect(decideRollback(facts({ rolloutStatus: 'RollingBack' }, verifying))).toEqual({
      action: 'none',
      reason: '2026.11.3 in prod is already being rolled back',
    });
  });

  it('rolls back a promotion that succeeded within the default window', () => {
    expect(decideRollback(facts())).toEqual({
      action: 'rollback',
      reason: 'it started 10m after 2026.11.3 in prod succeeded, within the 30m rollback window',
    });
  });

  it('counts an alert that started before the success (during verification) as inside the window', () => {
    const decision = decideRollback(facts({ startedAt: new Date(SUCCEEDED_AT.getTime() - MINUTE) }));
    expect(decision).toEqual({ action: 'rollback', reason: '2026.11.3 in prod had just succeeded' });
  });

  it('does not roll back outside the window', () => {
    expect(decideRollback(facts({ startedAt: new Date(SUCCEEDED_AT.getTime() + 31 * MINUTE) }))).toEqual({
      action: 'none',
      reason: 'it started 31m after 2026.11.3 in prod succeeded, outside the 30m rollback window',
    });
  });

  it("uses the stage's own window over the default", () => {
    const late = { startedAt: new Date(SUCCEEDED_AT.getTime() + 45 * MINUTE) };
    expect(decideRollback(facts({ ...late, policy: { windowMs: 60 * MINUTE } })).action).toBe('rollback');
    expect(decideRollback(facts({ ...late, policy: { windowMs: 5 * MINUTE } })).action).toBe('none');
  });

  it('does nothing on a stage without rollbackOnIncident, whatever the phase', () => {
    expect(decideRollback(facts({ policy: undefined }))).toEqual({
      action: 'none',
      reason: 'prod does not roll back on incidents (no rollbackOnIncident)',
    });
    expect(
      decideRollback(facts({ policy: undefined }, { phase: 'Verifying', finishedAt: null })).action,
    ).toBe('none');
  });

  it('never rolls back a rollback', () => {
    const decision = decideRollback(facts({}, { trigger: 'rollback' }));
    expect(decision.action).toBe('none');
    expect(decision.reason).toContain('was itself a rollback');
  });

  it('does nothing for a promotion that is still applying', () => {
    const decision = decideRollback(facts({}, { phase: 'Applying', finishedAt: null }));
    expect(decision.action).toBe('none');
    expect(decision.reason).toContain('is Applying');
  });
});
