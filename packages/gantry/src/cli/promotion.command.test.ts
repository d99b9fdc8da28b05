import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PromotionDto, PromotionPageDto, WhyDto } from '../features/promotions/promotions.dto.js';
import type { RolloutDto } from '../features/rollouts/rollouts.dto.js';
import { configureUsageErrors, type CliContext } from './command-support.js';
import {
  formatMeasuredValue,
  formatPromotion,
  formatPromotionDetail,
  formatPromotionList,
  formatRollout,
  formatTimeline,
  formatWhy,
  promotionCommand,
} from './promotion.command.js';
import { runCli } from '../testing/cli-run.js';

const NOW = Date.parse('2026-11-20T13:00:00Z');
const ID = '01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42';

function promotion(overrides: Partial<PromotionDto> = {}): PromotionDto {
  return {
    id: ID,
    service: 'checkout',
    stage: 'prod',
    version: '2026.11.3',
    releaseId: '01934f0e-0000-7000-8000-000000000001',
    phase: 'Pending',
    trigger: 'manual',
    requestedBy: 'alice',
    reason: null,
    message: null,
    appliedRevision: null,
    pipelineRevision: 3,
    freezeOverride: null,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:05:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

function rollout(overrides: Partial<RolloutDto> = {}): RolloutDto {
  return {
    strategy: 'canary',
    status: 'Progressing',
    step: 3,
    steps: [
      'set weight 10%',
      'set weight 25%',
      'smoke analysis (error-rate, latency)',
      'pause until resumed',
    ],
    weight: 25,
    pausedUntil: null,
    message: 'step 3 (smoke analysis): running',
    history: [],
    analysis: [],
    ...overrides,
  };
}

type AnalysisRun = RolloutDto['analysis'][number];
type Measurement = AnalysisRun['measurements'][number];

function measurement(overrides: Partial<Measurement> = {}): Measurement {
  return {
    metric: 'error-rate',
    phase: 'Successful',
    value: 0.01,
    message: null,
    startedAt: '2026-11-20T12:50:00.000Z',
    finishedAt: '2026-11-20T12:50:00.250Z',
    ...overrides,
  };
}

function analysisRun(overrides: Partial<AnalysisRun> = {}): AnalysisRun {
  return {
    id: '01934f0e-0000-7000-8000-0000000000a1',
    label: 'smoke',
    phase: 'Running',
    message: null,
    startedAt: '2026-11-20T12:50:00.000Z',
    finishedAt: null,
    args: {},
    metrics: [],
    measurements: [],
    ...overrides,
  };
}

function why(overrides: Partial<WhyDto> = {}): WhyDto {
  return {
    service: 'checkout',
    version: '2026.11.3',
    stage: 'prod',
    promotionId: null,
    phase: null,
    verdict: 'pass',
    items: [],
    autoHold: null,
    ...overrides,
  };
}

describe('formatPromotion', () => {
  it('says which release goes where, and in which phase', () => {
    expect(formatPromotion(promotion())).toEqual([`promotion ${ID}: checkout 2026.11.3 → prod (Pending)`]);
  });

  it('marks rollbacks and adds the message', () => {
    expect(
      formatPromotion(
        promotion({ trigger: 'rollback', version: '2026.11.2', message: 'rolling back: error rate' }),
      ),
    ).toEqual([
      `promotion ${ID}: checkout 2026.11.2 → prod (Pending, rollback)`,
      '  rolling back: error rate',
    ]);
  });

  it('points at the next command while the promotion waits', () => {
    expect(formatPromotion(promotion({ phase: 'WaitingForGates' }))[1]).toBe(
      '  see why: gantry why checkout 2026.11.3 --stage prod',
    );
    expect(formatPromotion(promotion({ phase: 'WaitingForApproval' }))[1]).toBe(
      `  approve: gantry approve ${ID}`,
    );
    expect(formatPromotion(promotion({ phase: 'Succeeded' }))).toHaveLength(1);
  });
});

describe('formatTimeline', () => {
  it('lists transitions oldest first in columns: time, from → to (arrows aligned), actor, reason', () => {
    const lines = formatTimeline([
      { from: null, to: 'Pending', actor: 'alice', reason: 'requested', at: '2026-11-20T10:00:00.123Z' },
      {
        from: 'Pending',
        to: 'WaitingForApproval',
        actor: 'gantry',
        reason: 'gates passed; prod needs 1 approval',
        at: '2026-11-20T10:00:01.000Z',
      },
      {
        from: 'WaitingForApproval',
        to: 'Applying',
        actor: 'bob',
        reason: 'approved',
        at: '2026-11-20T10:04:00Z',
      },
    ]);
    expect(lines).toEqual([
      '2026-11-20T10:00:00Z                   - → Pending             alice   requested',
      '2026-11-20T10:00:01Z             Pending → WaitingForApproval  gantry  gates passed; prod needs 1 approval',
      '2026-11-20T10:04:00Z  WaitingForApproval → Applying            bob     approved',
    ]);
  });

  it('is empty without transitions', () => {
    expect(formatTimeline([])).toEqual([]);
  });
});

describe('formatPromotionDetail', () => {
  it('shows the request, the timeline and the decisions', () => {
    const lines = formatPromotionDetail(
      promotion({
        phase: 'Succeeded',
        reason: 'fixes INC-42',
        appliedRevision: '9f1c2ab',
        finishedAt: '2026-11-20T10:10:00Z',
        freezeOverride: { actor: 'carol', reason: 'hotfix' },
        transitions: [
          { from: null, to: 'Pending', actor: 'alice', reason: 'requested', at: '2026-11-20T10:00:00Z' },
        ],
        decisions: [{ actor: 'bob', decision: 'approved', comment: 'lgtm', at: '2026-11-20T10:04:00Z' }],
      }),
      NOW,
    );
    expect(lines).toEqual([
      `promotion ${ID}: checkout 2026.11.3 → prod (Succeeded)`,
      '  trigger    manual by alice: "fixes INC-42"',
      '  freeze     overridden by carol: "hotfix"',
      '  pipeline   revision 3',
      '  applied    9f1c2ab',
      '  started    2026-11-20T10:00:00Z (3h ago)',
      '  finished   2026-11-20T10:10:00Z (2h ago)',
      '',
      'Timeline',
      '  2026-11-20T10:00:00Z  - → Pending  alice  requested',
      '',
      'Decisions',
      '  2026-11-20T10:04:00Z  approved by bob: "lgtm"',
    ]);
  });

  it('leaves out what did not happen, and the next-step hint', () => {
    const text = formatPromotionDetail(promotion({ phase: 'WaitingForApproval' }), NOW).join('\n');
    expect(text).not.toContain('gantry approve');
    expect(text).not.toContain('freeze');
    expect(text).not.toContain('applied');
    expect(text).not.toContain('finished');
    expect(text).not.toContain('Timeline');
    expect(text).not.toContain('Decisions');
  });
});

describe('formatPromotionDetail of a rollout', () => {
  it('adds the rollout last: where it stands, its steps, then each analysis run with its measurements', () => {
    const lines = formatPromotionDetail(
      promotion({
        phase: 'Applying',
        version: '2026.11.4',
        transitions: [
          { from: null, to: 'Pending', actor: 'alice', reason: 'requested', at: '2026-11-20T10:00:00Z' },
        ],
        rollout: rollout({
          analysis: [
            analysisRun({
              measurements: [
                measurement({ value: 0.0123456, message: '0.01235 meets result < 0.05' }),
                measurement({
                  metric: 'latency',
                  value: [0.25123, 0.3],
                  message: '[0.2512, 0.3] meets all(result, {# < 0.5})',
                }),
                measurement({
                  phase: 'Inconclusive',
                  value: 'NaN',
                  finishedAt: '2026-11-20T12:51:00.000Z',
                  message:
                    'NaN does not meet result < 0.05; the value is NaN (no data): write isNaN(...) in a condition to say what no data means',
                }),
              ],
            }),
          ],
        }),
      }),
      NOW,
    );
    expect(lines.slice(lines.indexOf('Timeline'))).toEqual([
      'Timeline',
      '  2026-11-20T10:00:00Z  - → Pending  alice  requested',
      '',
      'Rollout',
      '  canary · Progressing · step 3 of 4 · 25% of requests to 2026.11.4',
      '  ✓ 1. set weight 10%',
      '  ✓ 2. set weight 25%',
      '  → 3. smoke analysis (error-rate, latency)',
      '    4. pause until resumed',
      '  step 3 (smoke analysis): running',
      '',
      'Analysis smoke: Running',
      '  TIME                  METRIC      VALUE          PHASE         MESSAGE',
      '  2026-11-20T12:50:00Z  error-rate  0.01235        Successful    0.01235 meets result < 0.05',
      '  2026-11-20T12:50:00Z  latency     [0.2512, 0.3]  Successful    [0.2512, 0.3] meets all(result, {# < 0.5})',
      '  2026-11-20T12:51:00Z  error-rate  NaN            Inconclusive  NaN does not meet result < 0.05; the value is NaN (no data)…',
    ]);
  });

  it('shows a finished rollout with every step done', () => {
    expect(
      formatRollout(rollout({ status: 'Completed', step: 5, weight: 100, message: null }), '2026.11.4', NOW),
    ).toEqual([
      '',
      'Rollout',
      '  canary · Completed · all 4 steps done · 100% of requests to 2026.11.4',
      '  ✓ 1. set weight 10%',
      '  ✓ 2. set weight 25%',
      '  ✓ 3. smoke analysis (error-rate, latency)',
      '  ✓ 4. pause until resumed',
    ]);
  });

  it('says until when a timed pause lasts, ahead or already past', () => {
    const paused = rollout({
      strategy: 'blueGreen',
      step: 2,
      steps: ['start the preview', 'pause 5m', 'switch all traffic to the new version'],
      weight: 0,
      pausedUntil: '2026-11-20T13:04:00Z',
      message: 'step 2 (pause 5m) until 2026-11-20T13:04:00.000Z',
    });
    expect(formatRollout(paused, '2026.11.4', NOW)).toEqual([
      '',
      'Rollout',
      '  blueGreen · Progressing · step 2 of 3 · 0% of requests to 2026.11.4',
      '  ✓ 1. start the preview',
      '  → 2. pause 5m',
      '    3. switch all traffic to the new version',
      '  paused until 2026-11-20T13:04:00Z (in 4m)',
      '  step 2 (pause 5m) until 2026-11-20T13:04:00.000Z',
    ]);
    expect(formatRollout(paused, '2026.11.4', Date.parse('2026-11-20T13:04:30Z'))).toContain(
      '  paused until 2026-11-20T13:04:00Z (30s ago)',
    );
  });

  it('lines the step numbers up past nine steps', () => {
    const steps = Array.from({ length: 10 }, (_, index) => `set weight ${(index + 1) * 10}%`);
    const lines = formatRollout(rollout({ steps, step: 10, message: null }), '2026.11.4', NOW);
    expect(lines.slice(3, 4)).toEqual(['  ✓  1. set weight 10%']);
    expect(lines.at(-1)).toBe('  → 10. set weight 100%');
  });

  it('gives each analysis run its verdict, and says when it has no measurements yet', () => {
    const lines = formatRollout(
      rollout({
        status: 'RollingBack',
        weight: 0,
        message: 'smoke analysis failed: rolling back',
        analysis: [
          analysisRun({
            phase: 'Failed',
            message: 'error-rate failed 2 times (limit 1): 0.08, 0.09',
            finishedAt: '2026-11-20T12:52:00.000Z',
            measurements: [measurement({ phase: 'Failed', value: 0.08, message: null })],
          }),
          analysisRun({ id: '01934f0e-0000-7000-8000-0000000000a2', label: 'load' }),
        ],
      }),
      '2026.11.4',
      NOW,
    );
    expect(lines.slice(lines.indexOf('Analysis smoke: Failed'))).toEqual([
      'Analysis smoke: Failed',
      '  error-rate failed 2 times (limit 1): 0.08, 0.09',
      '  TIME                  METRIC      VALUE  PHASE   MESSAGE',
      '  2026-11-20T12:50:00Z  error-rate  0.08   Failed',
      '',
      'Analysis load: Running',
      '  no measurements yet',
    ]);
  });

  it('leaves the rollout out of promotions without one', () => {
    expect(formatPromotionDetail(promotion(), NOW).join('\n')).not.toContain('Rollout');
  });
});

describe('formatMeasuredValue', () => {
  it.each([
    [0.0123456, '0.01235'],
    [0.5, '0.5'],
    [42, '42'],
    [1234.5678, '1235'],
    [123456.7, '123457'],
    [-0.000123456, '-0.0001235'],
    [0.1 + 0.2, '0.3'],
    ['NaN', 'NaN'],
    ['-Inf', '-Inf'],
    ['200 OK', '200 OK'],
    [[0.25123, 'NaN'], '[0.2512, NaN]'],
    [[], '[]'],
    [true, 'true'],
    [{ p99: 0.3 }, '{"p99":0.3}'],
    [null, '-'],
    [undefined, '-'],
  ])('%j reads %s', (value, text) => {
    expect(formatMeasuredValue(value)).toBe(text);
  });

  it('writes non-finite numbers the way Gantry stores them', () => {
    expect([Number.NaN, Infinity, -Infinity].map(formatMeasuredValue)).toEqual(['NaN', '+Inf', '-Inf']);
  });
});

describe('formatPromotionList', () => {
  it('prints a table, and says when there are more', () => {
    const page: PromotionPageDto = {
      items: [promotion({ message: 'waiting   for\nfreeze window to end' })],
      nextCursor: 'abc',
    };
    const lines = formatPromotionList(page, NOW);
    expect(lines[0]).toMatch(/^ID\s+SERVICE\s+VERSION\s+STAGE\s+PHASE\s+TRIGGER\s+BY\s+UPDATED\s+MESSAGE$/);
    expect(lines[1]).toContain(
      `${ID}  checkout  2026.11.3  prod   Pending  manual   alice  2h ago   waiting for freeze`,
    );
    expect(lines.at(-1)).toBe('(more: raise --limit to see them)');
  });

  it('says so when nothing matches', () => {
    expect(formatPromotionList({ items: [] })).toEqual(['No promotions match.']);
  });
});

describe('formatWhy', () => {
  it('puts the verdict first, then one aligned line per check', () => {
    const lines = formatWhy(
      why({
        verdict: 'blocked',
        promotionId: ID,
        phase: 'WaitingForGates',
        items: [
          { kind: 'gate', name: 'tests', state: 'passed', reason: '412 of 412 passed (junit.xml)' },
          {
            kind: 'gate',
            name: 'coverage',
            state: 'blocked',
            reason: 'coverage 71.2% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)',
          },
          { kind: 'approval', name: 'approval', state: 'pending', reason: 'needs 1 approval, has 0' },
        ],
      }),
      NOW,
    );
    expect(lines).toEqual([
      'checkout 2026.11.3 → prod: blocked',
      `  promotion ${ID} (WaitingForGates)`,
      '  passed   tests     412 of 412 passed (junit.xml)',
      '  blocked  coverage  coverage 71.2% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)',
      '  pending  approval  needs 1 approval, has 0',
    ]);
  });

  it('says when nothing applies', () => {
    expect(formatWhy(why())).toEqual([
      'checkout 2026.11.3 → prod: pass: nothing stands in the way',
      '  no gates, approvals or freeze windows apply to this stage',
    ]);
  });

  it('mentions the auto-promotion hold', () => {
    const lines = formatWhy(
      why({
        verdict: 'pending',
        items: [{ kind: 'gate', name: 'upstream', state: 'pending', reason: 'not yet promoted to staging' }],
        autoHold: { version: '2026.11.2', actor: 'bob', at: '2026-11-20T12:00:00Z' },
      }),
      NOW,
    );
    expect(lines[0]).toBe('checkout 2026.11.3 → prod: pending: waiting for the checks below');
    expect(lines.at(-1)).toBe(
      'auto-promotion into prod is held: bob promoted 2026.11.2 by hand 1h ago, until a newer release is promoted there by hand',
    );
  });
});

// The rollout controls as a person runs them: parsed by commander, run by
// runCommand (which sets the exit code), talking to a fake API through fetch.
describe('gantry promotion resume, promote-full, abort, retry', () => {
  interface Sent {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: unknown;
  }

  function fakeApi(status: number, body: unknown) {
    const requests: Sent[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      requests.push({
        method: init?.method ?? 'GET',
        path: new URL(input instanceof Request ? input.url : String(input)).pathname,
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      });
      return Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
        }),
      );
    };
    return { fetch, requests };
  }

  function gantry(args: string[], context: CliContext) {
    return runCli(
      [configureUsageErrors(promotionCommand({ sleep: () => Promise.resolve(), ...context }))],
      args,
    );
  }

  beforeEach(() => {
    vi.stubEnv('GANTRY_URL', 'http://gantry.test:7070');
    vi.stubEnv('GANTRY_TOKEN', 'gt_test_token');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['resume', ['--reason', 'latency checked by hand'], { reason: 'latency checked by hand' }],
    ['resume', [], {}],
    ['promote-full', ['--reason', 'hotfix'], { reason: 'hotfix' }],
    ['abort', ['--reason', 'error rate rising'], { reason: 'error rate rising' }],
    ['retry', ['--reason', 'metric source fixed'], { reason: 'metric source fixed' }],
  ])('promotion %s posts to the promotion and prints it', async (action, options, body) => {
    const api = fakeApi(200, promotion({ phase: 'Applying', message: 'resumed by alice' }));
    const run = await gantry(['promotion', action, ID, ...options], { fetch: api.fetch });
    expect(run).toEqual({
      code: 0,
      stdout: `promotion ${ID}: checkout 2026.11.3 → prod (Applying)\n  resumed by alice\n`,
      stderr: '',
    });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: `/api/v1/promotions/${ID}/${action}`,
      body,
    });
    // Sent as a change: a lost answer can be asked for again without acting twice.
    expect(api.requests[0]!.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('--json prints the promotion the API answered', async () => {
    const answered = promotion({ phase: 'Applying', rollout: rollout() });
    const api = fakeApi(200, answered);
    const run = await gantry(['promotion', 'promote-full', ID, '--json'], { fetch: api.fetch });
    expect(JSON.parse(run.stdout)).toEqual(answered);
  });

  it('prints a refusal as the error and exits 1', async () => {
    const api = fakeApi(409, {
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: `promotion ${ID} is not paused (its rollout is progressing at step 2 (set weight 25%)); nothing to resume`,
      code: 'conflict',
    });
    const run = await gantry(['promotion', 'resume', ID, '--reason', 'x'], { fetch: api.fetch });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `gantry: promotion ${ID} is not paused (its rollout is progressing at step 2 (set weight 25%)); nothing to resume\n`,
    });
    expect(api.requests).toHaveLength(1);
  });

  it('needs the promotion id: a usage error, nothing sent', async () => {
    const api = fakeApi(200, promotion());
    const run = await gantry(['promotion', 'retry'], { fetch: api.fetch });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'id'");
    expect(api.requests).toEqual([]);
  });

  it.each(['resume', 'promote-full', 'abort', 'retry'])(
    'promotion %s --help shows an example',
    async (action) => {
      const run = await gantry(['promotion', action, '--help'], {});
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `$ gantry promotion ${action} 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --reason`,
      );
    },
  );
});
