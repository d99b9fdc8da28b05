import { describe, expect, it } from 'vitest';
import {
  attentionOf,
  countOverview,
  describeCounts,
  filterFromSearch,
  filterServices,
  NO_FILTER,
  searchFromFilter,
  shareUnchanged,
  stageColumns,
  stepProgress,
  teamsOf,
} from './overview-model';
import { fleet, quietCell, serviceStatus } from './status-fixtures';

const withStages = (name: string, ...stages: string[]) =>
  serviceStatus(
    name,
    'team',
    stages.map((stage) => quietCell(stage)),
  );

describe('stageColumns', () => {
  it('lists every stage once, in the order first seen', () => {
    expect(
      stageColumns([withStages('a', 'develop', 'prod'), withStages('b', 'develop', 'prod', 'dr')]),
    ).toEqual(['develop', 'prod', 'dr']);
  });

  it('keeps pipeline order: a stage only some services have lands before its later stages', () => {
    expect(
      stageColumns([withStages('a', 'develop', 'prod'), withStages('b', 'develop', 'qa', 'staging', 'prod')]),
    ).toEqual(['develop', 'qa', 'staging', 'prod']);
  });

  it('is empty without services', () => {
    expect(stageColumns([])).toEqual([]);
  });
});

describe('attentionOf', () => {
  it('says nothing about a quiet stage', () => {
    expect(attentionOf(quietCell('prod'))).toEqual([]);
  });

  it('tells an active promotion from a blocked or a failed one, and adds freezes and holds', () => {
    const cell = (phase: string) => ({
      ...quietCell('prod'),
      activePromotion: { id: 'p', version: 'v', phase, message: null },
    });
    expect(attentionOf(cell('Verifying'))).toEqual(['active']);
    expect(attentionOf(cell('Pending'))).toEqual(['active']);
    expect(attentionOf(cell('WaitingForApproval'))).toEqual(['blocked']);
    expect(attentionOf(cell('WaitingForGates'))).toEqual(['blocked']);
    expect(attentionOf(cell('Failed'))).toEqual(['failed']);
    expect(
      attentionOf({
        ...cell('Applying'),
        freeze: { reason: null, since: '2026-11-30T00:00:00Z', until: '2026-12-01T00:00:00Z' },
        autoHold: { version: 'v', actor: 'bob', at: '2026-11-30T00:00:00Z' },
      }),
    ).toEqual(['active', 'frozen', 'held']);
  });
});

describe('filterServices', () => {
  const services = fleet(100);

  it('keeps everything without a filter', () => {
    expect(filterServices(services, NO_FILTER)).toHaveLength(100);
  });

  it('matches part of the service or the team name, in any case', () => {
    expect(filterServices(services, { ...NO_FILTER, text: ' SVC-04' }).map((s) => s.service)).toEqual(
      Array.from({ length: 10 }, (_, i) => `svc-04${i}`),
    );
    expect(filterServices(services, { ...NO_FILTER, text: 'team-b' })).toHaveLength(25);
  });

  it('keeps one team, and only what needs attention', () => {
    expect(filterServices(services, { ...NO_FILTER, team: 'team-c' }).every((s) => s.team === 'team-c')).toBe(
      true,
    );
    expect(filterServices(services, { ...NO_FILTER, attention: true }).map((s) => s.service)).toEqual([
      'svc-007',
      'svc-013',
      'svc-042',
      'svc-077',
    ]);
    expect(
      filterServices(services, { text: '', team: 'team-b', attention: true }).map((s) => s.service),
    ).toEqual(['svc-013', 'svc-077']);
  });

  it('round-trips through the query string', () => {
    const filter = { text: 'pay', team: 'payments', attention: true };
    expect(searchFromFilter(filter).toString()).toBe('q=pay&team=payments&attention=1');
    expect(filterFromSearch(searchFromFilter(filter))).toEqual(filter);
    expect(searchFromFilter(NO_FILTER).toString()).toBe('');
    expect(filterFromSearch(new URLSearchParams())).toEqual(NO_FILTER);
  });
});

describe('teamsOf', () => {
  it('lists each team once, sorted', () => {
    expect(teamsOf(fleet(10))).toEqual(['team-a', 'team-b', 'team-c', 'team-d']);
  });
});

describe('counts', () => {
  it('counts promotions by what they wait for, and frozen and held stages', () => {
    const counts = countOverview(fleet(100));
    expect(counts).toEqual({
      inProgress: 1,
      waitingForGates: 0,
      waitingForApproval: 1,
      failed: 0,
      frozen: 1,
      held: 1,
    });
    expect(describeCounts(counts)).toBe(
      '1 promotion in progress, 1 waiting for approval, 1 stage frozen, 1 auto-promotion on hold',
    );
  });

  it('says so when nothing happens, and uses plurals', () => {
    const none = countOverview([]);
    expect(describeCounts(none)).toBe('nothing in progress');
    expect(describeCounts({ ...none, inProgress: 3, waitingForGates: 2, frozen: 2, held: 2 })).toBe(
      '3 promotions in progress, 2 waiting for gates, 2 stages frozen, 2 auto-promotions on hold',
    );
  });
});

describe('stepProgress', () => {
  it('reads the rollout step from a promotion message', () => {
    expect(stepProgress('step 2 of 6: set weight 20% done')).toEqual({
      step: 2,
      of: 6,
      rest: 'set weight 20% done',
    });
  });

  it('ignores messages without a step', () => {
    expect(stepProgress(null)).toBeUndefined();
    expect(stepProgress('waiting for the promotion engine')).toBeUndefined();
    expect(stepProgress('step 7 of 6: impossible')).toBeUndefined();
  });
});

describe('shareUnchanged', () => {
  it('keeps the objects of unchanged services, so their rows need not render again', () => {
    const before = fleet(3);
    const after = structuredClone(before);
    after[1]!.stages[0]!.currentVersion = '2026.12.1';
    const shared = shareUnchanged(before, after);
    expect(shared[0]).toBe(before[0]);
    expect(shared[1]).toBe(after[1]);
    expect(shared[2]).toBe(before[2]);
  });
});
