import { describe, expect, it } from 'vitest';
import { quietCell } from '../overview/status-fixtures';
import { why } from './service-fixtures';
import { isOlder, promoteConsequence, promoteOffer } from './why';

const freeze = {
  kind: 'freeze' as const,
  name: 'freeze',
  state: 'blocked' as const,
  reason: 'frozen until Monday',
};
const coverage = {
  kind: 'gate' as const,
  name: 'coverage',
  state: 'blocked' as const,
  reason: 'coverage 71% is below 80%',
};
const approval = {
  kind: 'approval' as const,
  name: 'approvals',
  state: 'pending' as const,
  reason: '0 of 1 approval',
};

describe('promoteOffer', () => {
  const prod = quietCell('prod', '2026.11.4');

  it('offers to promote when nothing blocks, even when approvals are still to come', () => {
    expect(promoteOffer(why('prod', '2026.11.5'), prod)).toEqual({ kind: 'promote' });
    expect(promoteOffer(why('prod', '2026.11.5', { verdict: 'pending', items: [approval] }), prod)).toEqual({
      kind: 'promote',
    });
  });

  it('offers nothing where the release runs, or while it or another release moves there', () => {
    expect(promoteOffer(why('prod', '2026.11.4'), prod)).toEqual({ kind: 'runs-here' });
    expect(
      promoteOffer(why('prod', '2026.11.5', { promotionId: 'p1', phase: 'WaitingForApproval' }), prod),
    ).toEqual({ kind: 'on-its-way', promotionId: 'p1' });
    const busy = {
      ...prod,
      activePromotion: { id: 'p2', version: '2026.11.6', phase: 'Verifying', message: null },
    };
    expect(promoteOffer(why('prod', '2026.11.5'), busy)).toEqual({
      kind: 'stage-busy',
      promotionId: 'p2',
      version: '2026.11.6',
    });
  });

  it('offers to go through a freeze only when the freeze is all that blocks', () => {
    expect(promoteOffer(why('prod', '2026.11.5', { verdict: 'blocked', items: [freeze] }), prod)).toEqual({
      kind: 'through-freeze',
      freeze,
    });
    expect(
      promoteOffer(why('prod', '2026.11.5', { verdict: 'blocked', items: [freeze, coverage] }), prod),
    ).toEqual({ kind: 'blocked' });
  });

  it('promotes again a release whose earlier promotion there ended', () => {
    expect(promoteOffer(why('prod', '2026.11.5', { promotionId: 'p0', phase: 'RolledBack' }), prod)).toEqual({
      kind: 'promote',
    });
  });
});

describe('promoteConsequence', () => {
  it('says what it replaces and what it will wait for', () => {
    expect(
      promoteConsequence(
        why('prod', '2026.11.5', { verdict: 'pending', items: [approval] }),
        quietCell('prod'),
      ),
    ).toBe('checkout 2026.11.5 goes into prod, replacing 2026.11.4. It then waits for: 0 of 1 approval.');
    expect(promoteConsequence(why('prod', '2026.11.3'), quietCell('prod'))).toBe(
      'checkout 2026.11.3 goes into prod, replacing the newer 2026.11.4.',
    );
    expect(promoteConsequence(why('qa', '2026.11.5'), { ...quietCell('qa'), currentVersion: null })).toBe(
      'checkout 2026.11.5 goes into qa.',
    );
  });
});

describe('isOlder', () => {
  it('compares CalVer versions number by number', () => {
    expect(isOlder('2026.9.1', '2026.11.1')).toBe(true);
    expect(isOlder('2026.11.10', '2026.11.9')).toBe(false);
    expect(isOlder('2026.11.4', '2026.11.4')).toBe(false);
  });

  it('does not guess about versions that are not dotted numbers', () => {
    expect(isOlder('v1.2-rc1', '2026.11.4')).toBe(false);
  });
});
