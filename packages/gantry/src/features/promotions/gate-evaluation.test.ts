import { describe, expect, it } from 'vitest';
import {
  type ApprovalRule,
  type ApprovalState,
  evaluateApprovals,
  evaluateFreeze,
  evaluateGates,
  type EvidenceSummary,
  explainPromotion,
  formatGateCheck,
  formatSpan,
  formatTimestamp,
  type FreezeState,
  type GateCheck,
  type GateRules,
  type UpstreamState,
  verdictOf,
} from './gate-evaluation.js';

const at = (iso: string): Date => new Date(iso);
const ATTACHED = at('2026-11-20T10:02:37.123Z');
const NOW = at('2026-11-20T12:00:00Z');
const MINUTE = 60_000;

const tests = (over: Partial<NonNullable<EvidenceSummary['tests']>> = {}): EvidenceSummary['tests'] => ({
  total: 120,
  passed: 120,
  failures: 0,
  errors: 0,
  skipped: 0,
  source: 'junit.xml',
  attachedAt: ATTACHED,
  ...over,
});

const vulns = (
  over: Partial<NonNullable<EvidenceSummary['vulnerabilities']>> = {},
): EvidenceSummary['vulnerabilities'] => ({
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  unknown: 0,
  source: 'trivy.json',
  attachedAt: ATTACHED,
  ...over,
});

/** Evaluates one gate rule against evidence and returns its single check as [state, reason]. */
function one(rules: GateRules, evidence: EvidenceSummary, upstream: UpstreamState[] = []): [string, string] {
  const checks = evaluateGates({ rules, evidence, upstream, now: NOW });
  expect(checks).toHaveLength(1);
  return [checks[0]!.state, checks[0]!.reason];
}

describe('formatting', () => {
  it.each([
    ['2026-11-20T10:02:37.123Z', '2026-11-20T10:02Z'],
    ['2026-11-30T07:00:00Z', '2026-11-30T07:00Z'],
    ['2026-11-20T11:02:59+01:00', '2026-11-20T10:02Z'],
  ])('formats %s as %s', (iso, text) => {
    expect(formatTimestamp(at(iso))).toBe(text);
  });

  it('does not throw on an invalid date', () => {
    expect(formatTimestamp(new Date('nope'))).toBe('an unknown time');
  });

  it.each([
    [0, '0s'],
    [400, '0s'],
    [1_600, '2s'],
    [30 * MINUTE, '30m'],
    [90 * MINUTE, '1h30m'],
    [64 * 60 * MINUTE, '64h'],
    [36 * 60 * MINUTE + 30 * MINUTE, '36h30m'],
    [48 * 60 * MINUTE, '2d'],
    [-5_000, '0s'],
  ])('formats a span of %d ms as %s', (millis, text) => {
    expect(formatSpan(millis)).toBe(text);
  });

  it('prefixes undecided checks with their state', () => {
    const check = (state: GateCheck['state']): GateCheck => ({
      kind: 'gate',
      name: 'x',
      state,
      reason: 'why',
    });
    expect(formatGateCheck(check('passed'))).toBe('why');
    expect(formatGateCheck(check('pending'))).toBe('pending: why');
    expect(formatGateCheck(check('blocked'))).toBe('blocked: why');
  });
});

describe('evaluateGates', () => {
  it('checks nothing when the stage declares no gates', () => {
    expect(evaluateGates({ rules: {}, evidence: { tests: tests() }, upstream: [], now: NOW })).toEqual([]);
  });

  it.each<[string, EvidenceSummary['tests'], string, string]>([
    ['missing', undefined, 'pending', 'no test report attached yet'],
    ['all passed', tests(), 'passed', '120 passed of 120 tests (junit.xml)'],
    [
      'some skipped',
      tests({ passed: 118, skipped: 2 }),
      'passed',
      '118 passed, 2 skipped of 120 tests (junit.xml)',
    ],
    [
      'failures and errors',
      tests({ passed: 116, failures: 3, errors: 1 }),
      'blocked',
      '3 failed, 1 errored of 120 tests (junit.xml attached 2026-11-20T10:02Z)',
    ],
    [
      'failures only',
      tests({ total: 1, passed: 0, failures: 1 }),
      'blocked',
      '1 failed of 1 test (junit.xml attached 2026-11-20T10:02Z)',
    ],
    [
      'errors only',
      tests({ passed: 118, errors: 2 }),
      'blocked',
      '2 errored of 120 tests (junit.xml attached 2026-11-20T10:02Z)',
    ],
    [
      'none ran',
      tests({ total: 0, passed: 0 }),
      'blocked',
      'no tests ran (junit.xml attached 2026-11-20T10:02Z)',
    ],
    [
      'all skipped',
      tests({ total: 4, passed: 0, skipped: 4 }),
      'blocked',
      'no tests ran: all 4 tests skipped (junit.xml attached 2026-11-20T10:02Z)',
    ],
  ])('tests: %s', (_case, evidence, state, reason) => {
    expect(one({ tests: 'passed' }, { tests: evidence })).toEqual([state, reason]);
  });

  it.each<[string, number, number | undefined, string, string]>([
    ['missing', 80, undefined, 'pending', 'no coverage report attached yet'],
    ['above', 80, 85, 'passed', 'coverage 85.0% ≥ 80% (coverage-summary.json)'],
    ['exactly at', 80, 80, 'passed', 'coverage 80.0% ≥ 80% (coverage-summary.json)'],
    ['below', 80, 71.2, 'blocked', 'coverage 71.2% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)'],
    [
      'just below, shown with enough digits',
      80,
      79.96,
      'blocked',
      'coverage 79.96% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)',
    ],
    [
      'fractional minimum',
      72.5,
      72.45,
      'blocked',
      'coverage 72.45% < 72.5% (coverage-summary.json attached 2026-11-20T10:02Z)',
    ],
  ])('coverage: %s', (_case, min, linePct, state, reason) => {
    const evidence: EvidenceSummary =
      linePct === undefined
        ? {}
        : { coverage: { linePct, source: 'coverage-summary.json', attachedAt: ATTACHED } };
    expect(one({ coverage: { min } }, evidence)).toEqual([state, reason]);
  });

  it.each<[string, GateRules['vulnerabilities'], EvidenceSummary['vulnerabilities'], string, string]>([
    ['missing', { critical: 0 }, undefined, 'pending', 'no vulnerability scan attached yet'],
    [
      'within limits',
      { critical: 0, high: 2 },
      vulns({ high: 2, medium: 40 }),
      'passed',
      'critical 0 ≤ 0, high 2 ≤ 2 (trivy.json)',
    ],
    [
      'one exceeded',
      { critical: 0, high: 2 },
      vulns({ high: 3 }),
      'blocked',
      'high 3 > 2 (trivy.json attached 2026-11-20T10:02Z)',
    ],
    [
      'every exceeded one listed, in severity order',
      { low: 100, medium: 10, high: 2, critical: 0 },
      vulns({ critical: 1, high: 3, medium: 10, low: 101 }),
      'blocked',
      'critical 1 > 0, high 3 > 2, low 101 > 100 (trivy.json attached 2026-11-20T10:02Z)',
    ],
    ['no limits set', {}, vulns({ high: 9 }), 'passed', 'scan attached, no severity limits set (trivy.json)'],
  ])('vulnerabilities: %s', (_case, limits, evidence, state, reason) => {
    expect(one({ vulnerabilities: limits }, { vulnerabilities: evidence })).toEqual([state, reason]);
  });

  it.each<[string, EvidenceSummary['signature'], string, string]>([
    ['missing', undefined, 'pending', 'no signature attached yet'],
    [
      'verified',
      { verified: true, algorithm: 'cosign/ecdsa-p256', attachedAt: ATTACHED },
      'passed',
      'signature verified (cosign/ecdsa-p256)',
    ],
    [
      'failed with a reason',
      { verified: false, algorithm: 'cosign/ecdsa-p256', attachedAt: ATTACHED, reason: 'key is not trusted' },
      'blocked',
      'signature (cosign/ecdsa-p256) did not verify: key is not trusted (attached 2026-11-20T10:02Z)',
    ],
    [
      'failed without a reason',
      { verified: false, algorithm: 'cosign/ecdsa-p256', attachedAt: ATTACHED },
      'blocked',
      'signature (cosign/ecdsa-p256) did not verify (attached 2026-11-20T10:02Z)',
    ],
  ])('signature: %s', (_case, evidence, state, reason) => {
    expect(one({ signature: 'required' }, { signature: evidence })).toEqual([state, reason]);
  });

  it.each<[string, EvidenceSummary['migrationCheck'], string, string]>([
    ['missing', undefined, 'pending', 'no migration check attached yet'],
    ['passed', { result: 'passed', attachedAt: ATTACHED }, 'passed', 'migration check passed'],
    [
      'failed',
      { result: 'failed', attachedAt: ATTACHED },
      'blocked',
      'migration check failed (attached 2026-11-20T10:02Z)',
    ],
  ])('migrationCheck: %s', (_case, evidence, state, reason) => {
    expect(one({ migrationCheck: 'passed' }, { migrationCheck: evidence })).toEqual([state, reason]);
  });

  describe('upstream', () => {
    it('passes with no upstream stage', () => {
      expect(one({ upstream: 'succeeded' }, {}, [])).toEqual(['passed', 'no upstream stage']);
    });

    it('checks every upstream stage', () => {
      const checks = evaluateGates({
        rules: { upstream: 'succeeded' },
        evidence: {},
        upstream: [
          { stage: 'qa', succeededAt: at('2026-11-20T09:15:00Z'), stillCurrent: false },
          { stage: 'staging', stillCurrent: false },
        ],
        now: NOW,
      });
      expect(checks).toEqual([
        {
          kind: 'gate',
          name: 'upstream',
          stage: 'qa',
          state: 'passed',
          reason: 'promoted to qa 2026-11-20T09:15Z',
        },
        {
          kind: 'gate',
          name: 'upstream',
          stage: 'staging',
          state: 'pending',
          reason: 'not yet promoted to staging',
        },
      ]);
    });
  });

  describe('soak', () => {
    const rules: GateRules = { soakMs: 30 * MINUTE };
    const since = (minutesAgo: number, extraMs = 0): Date =>
      new Date(NOW.getTime() - minutesAgo * MINUTE - extraMs);

    it.each<[string, UpstreamState, string, string]>([
      [
        'not promoted yet',
        { stage: 'staging', stillCurrent: false },
        'pending',
        'not yet promoted to staging; the 30m soak starts when it is',
      ],
      [
        'soaking',
        { stage: 'staging', succeededAt: since(12), stillCurrent: true },
        'pending',
        'soaking in staging: 12m of 30m, 18m to go',
      ],
      [
        'soaking, mid-second',
        { stage: 'staging', succeededAt: since(12, 500), stillCurrent: true },
        'pending',
        'soaking in staging: 12m of 30m, 18m to go',
      ],
      [
        'just promoted',
        { stage: 'staging', succeededAt: NOW, stillCurrent: true },
        'pending',
        'soaking in staging: 0s of 30m, 30m to go',
      ],
      [
        'one second left',
        { stage: 'staging', succeededAt: since(29, 59_000), stillCurrent: true },
        'pending',
        'soaking in staging: 29m59s of 30m, 1s to go',
      ],
      [
        'a clock ahead of ours',
        { stage: 'staging', succeededAt: since(-2), stillCurrent: true },
        'pending',
        'soaking in staging: 0s of 30m, 30m to go',
      ],
      [
        'exactly done',
        { stage: 'staging', succeededAt: since(30), stillCurrent: true },
        'passed',
        'soaked in staging for 30m (≥ 30m)',
      ],
      [
        'long done',
        { stage: 'staging', succeededAt: since(150), stillCurrent: true },
        'passed',
        'soaked in staging for 2h30m (≥ 30m)',
      ],
      [
        'replaced upstream',
        { stage: 'staging', succeededAt: since(150), stillCurrent: false },
        'blocked',
        'staging now runs another release',
      ],
    ])('%s', (_case, upstream, state, reason) => {
      expect(one(rules, {}, [upstream])).toEqual([state, reason]);
    });

    it('passes with no upstream stage', () => {
      expect(one(rules, {}, [])).toEqual(['passed', 'no upstream stage to soak in']);
    });

    it('reports each upstream stage separately', () => {
      const checks = evaluateGates({
        rules,
        evidence: {},
        upstream: [
          { stage: 'qa', succeededAt: since(60), stillCurrent: true },
          { stage: 'staging', succeededAt: since(5), stillCurrent: true },
        ],
        now: NOW,
      });
      expect(checks.map((c) => [c.stage, c.state, c.reason])).toEqual([
        ['qa', 'passed', 'soaked in qa for 1h (≥ 30m)'],
        ['staging', 'pending', 'soaking in staging: 5m of 30m, 25m to go'],
      ]);
    });
  });

  it('keeps a fixed order of gates', () => {
    const checks = evaluateGates({
      rules: {
        soakMs: MINUTE,
        upstream: 'succeeded',
        migrationCheck: 'passed',
        signature: 'required',
        vulnerabilities: { critical: 0 },
        coverage: { min: 50 },
        tests: 'passed',
      },
      evidence: {},
      upstream: [{ stage: 'qa', stillCurrent: false }],
      now: NOW,
    });
    expect(checks.map((c) => c.name)).toEqual([
      'tests',
      'coverage',
      'vulnerabilities',
      'signature',
      'migrationCheck',
      'upstream',
      'soak',
    ]);
    expect(checks.every((c) => c.kind === 'gate' && c.state === 'pending')).toBe(true);
  });
});

describe('evaluateApprovals', () => {
  const CREATED = at('2026-11-20T11:00:00Z');
  const state = (over: Partial<ApprovalState> = {}): ApprovalState => ({
    approvals: [],
    releaseCreatedBy: 'ci-bot',
    promotionRequestedBy: 'alice',
    ...over,
  });
  const approvals = (...actors: string[]): ApprovalState['approvals'] =>
    actors.map((actor) => ({ actor, at: CREATED }));
  const twoFourEyes: ApprovalRule = { required: 2, fourEyes: true };

  it.each<[string, ApprovalRule, ApprovalState, string, string]>([
    ['none yet', twoFourEyes, state(), 'pending', '0 of 2 approvals'],
    ['one of two', twoFourEyes, state({ approvals: approvals('bob') }), 'pending', '1 of 2 approvals (bob)'],
    [
      'two distinct',
      twoFourEyes,
      state({ approvals: approvals('bob', 'carol') }),
      'passed',
      '2 of 2 approvals (bob, carol)',
    ],
    [
      'one needed',
      { required: 1, fourEyes: false },
      state({ approvals: approvals('bob') }),
      'passed',
      '1 of 1 approval (bob)',
    ],
    [
      'more than needed',
      { required: 1, fourEyes: false },
      state({ approvals: approvals('bob', 'carol') }),
      'passed',
      '2 approvals, 1 required (bob, carol)',
    ],
    [
      'the same person twice counts once',
      twoFourEyes,
      state({ approvals: approvals('bob', 'bob', 'Bob') }),
      'pending',
      '1 of 2 approvals (bob)',
    ],
    [
      'four eyes: the requester does not count',
      twoFourEyes,
      state({ approvals: approvals('alice', 'bob') }),
      'pending',
      "1 of 2 approvals (bob); alice's approval does not count: alice requested this promotion (four eyes)",
    ],
    [
      'four eyes: the release creator does not count',
      { required: 1, fourEyes: true },
      state({ approvals: approvals('ci-bot') }),
      'pending',
      "0 of 1 approval; ci-bot's approval does not count: ci-bot created this release (four eyes)",
    ],
    [
      'four eyes: both roles named',
      { required: 1, fourEyes: true },
      state({ releaseCreatedBy: 'alice', approvals: approvals('alice', 'dave') }),
      'passed',
      "1 of 1 approval (dave); alice's approval does not count: alice created this release and requested this promotion (four eyes)",
    ],
    [
      'four eyes: not sidestepped by spelling',
      { required: 1, fourEyes: true },
      state({ approvals: approvals('ALICE') }),
      'pending',
      "0 of 1 approval; ALICE's approval does not count: ALICE requested this promotion (four eyes)",
    ],
    [
      'without four eyes the requester counts',
      { required: 2, fourEyes: false },
      state({ approvals: approvals('alice', 'bob') }),
      'passed',
      '2 of 2 approvals (alice, bob)',
    ],
    ['none required', { required: 0, fourEyes: true }, state(), 'passed', 'no approvals required'],
    [
      'rejected, even with enough approvals',
      { required: 1, fourEyes: false },
      state({
        approvals: approvals('bob'),
        rejection: { actor: 'dave', at: at('2026-11-20T11:45:10Z'), reason: 'INC-41 still open' },
      }),
      'blocked',
      'rejected by dave at 2026-11-20T11:45Z: INC-41 still open',
    ],
  ])('%s', (_case, rule, approvalState, expectedState, reason) => {
    expect(evaluateApprovals(rule, approvalState)).toEqual({
      kind: 'approval',
      name: 'approvals',
      state: expectedState,
      reason,
    });
  });
});

describe('evaluateFreeze', () => {
  // Fridays 16:00 to Mondays 08:00 in Madrid (UTC+1 in November): 64 hours.
  const active = {
    start: at('2026-11-27T15:00:00Z'),
    end: at('2026-11-30T07:00:00Z'),
    cron: '0 16 * * FRI',
    timeZone: 'Europe/Madrid',
  };

  it.each<[string, FreezeState, string, string]>([
    ['no window', {}, 'passed', 'no freeze window active'],
    [
      'active',
      { active },
      'blocked',
      'frozen until 2026-11-30T07:00Z (cron 0 16 * * FRI, Europe/Madrid, 64h)',
    ],
    [
      'active, with a reason',
      { active: { ...active, reason: 'weekend' } },
      'blocked',
      'frozen until 2026-11-30T07:00Z (cron 0 16 * * FRI, Europe/Madrid, 64h): weekend',
    ],
    [
      'overridden',
      { active, override: { actor: 'carol', reason: 'hotfix for INC-42' } },
      'passed',
      'freeze overridden by carol: hotfix for INC-42',
    ],
  ])('%s', (_case, freeze, state, reason) => {
    expect(evaluateFreeze(freeze)).toEqual({ kind: 'freeze', name: 'freeze', state, reason });
  });
});

describe('explainPromotion', () => {
  const passingEvidence: EvidenceSummary = {
    tests: tests(),
    coverage: { linePct: 85, source: 'coverage-summary.json', attachedAt: ATTACHED },
  };
  const rules: GateRules = { tests: 'passed', coverage: { min: 80 } };
  const approvalState: ApprovalState = {
    approvals: [{ actor: 'bob', at: NOW }],
    releaseCreatedBy: 'ci-bot',
    promotionRequestedBy: 'alice',
  };

  it('passes when every item passes', () => {
    const report = explainPromotion({
      rules,
      evidence: passingEvidence,
      upstream: [],
      now: NOW,
      approval: { rule: { required: 1, fourEyes: true }, state: approvalState },
      freeze: {},
    });
    expect(report.verdict).toBe('pass');
    expect(report.items.map(formatGateCheck)).toEqual([
      '120 passed of 120 tests (junit.xml)',
      'coverage 85.0% ≥ 80% (coverage-summary.json)',
      '1 of 1 approval (bob)',
      'no freeze window active',
    ]);
  });

  it('is pending while anything is undecided and nothing blocks', () => {
    const report = explainPromotion({
      rules,
      evidence: { tests: tests() },
      upstream: [],
      now: NOW,
      approval: { rule: { required: 2, fourEyes: true }, state: approvalState },
    });
    expect(report.verdict).toBe('pending');
    expect(report.items.map(formatGateCheck)).toEqual([
      '120 passed of 120 tests (junit.xml)',
      'pending: no coverage report attached yet',
      'pending: 1 of 2 approvals (bob)',
    ]);
  });

  it('is blocked when one item blocks, and still lists the rest', () => {
    const report = explainPromotion({
      rules,
      evidence: { coverage: { linePct: 71.2, source: 'coverage-summary.json', attachedAt: ATTACHED } },
      upstream: [],
      now: NOW,
      freeze: {
        active: {
          start: at('2026-11-27T15:00:00Z'),
          end: at('2026-11-30T07:00:00Z'),
          cron: '0 16 * * FRI',
          timeZone: 'Europe/Madrid',
        },
      },
    });
    expect(report.verdict).toBe('blocked');
    expect(report.items.map(formatGateCheck)).toEqual([
      'pending: no test report attached yet',
      'blocked: coverage 71.2% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)',
      'blocked: frozen until 2026-11-30T07:00Z (cron 0 16 * * FRI, Europe/Madrid, 64h)',
    ]);
  });

  it('passes with nothing to check', () => {
    expect(explainPromotion({ rules: {}, evidence: {}, upstream: [], now: NOW })).toEqual({
      verdict: 'pass',
      items: [],
    });
  });

  it.each<[GateCheck['state'][], string]>([
    [[], 'pass'],
    [['passed', 'passed'], 'pass'],
    [['passed', 'pending'], 'pending'],
    [['pending', 'blocked', 'passed'], 'blocked'],
  ])('verdict of %j is %s', (states, verdict) => {
    expect(verdictOf(states.map((state) => ({ kind: 'gate', name: 'x', state, reason: '' })))).toBe(verdict);
  });
});
