import { describe, expect, it } from 'vitest';
import type { PromotionDto, PromotionPageDto, WhyDto } from '../features/promotions/promotions.dto.js';
import {
  formatPromotion,
  formatPromotionDetail,
  formatPromotionList,
  formatTimeline,
  formatWhy,
} from './promotion.command.js';

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
