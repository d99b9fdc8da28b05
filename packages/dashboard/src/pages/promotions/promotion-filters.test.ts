import { describe, expect, it } from 'vitest';
import { describePromotionFilters, promotionQuery } from './promotion-filters';

describe('promotion filters', () => {
  it('becomes the API query, leaving out flags that are not true or false', () => {
    expect(
      promotionQuery({ team: 'payments', deployment: 'true', production: 'yes', phase: 'Failed' }),
    ).toEqual({
      team: 'payments',
      deployment: 'true',
      phase: 'Failed',
    });
  });

  it('says what the DORA page links to', () => {
    const { sentence, parts } = describePromotionFilters({
      deployment: 'true',
      team: 'payments',
      finishedSince: '2026-11-01T00:00:00Z',
      finishedUntil: '2026-12-01T00:00:00Z',
    });
    expect(sentence).toBe(
      'Production deployments of team payments finished between 2026-11-01 00:00:00 UTC and 2026-12-01 00:00:00 UTC.',
    );
    expect(parts).toEqual([
      { key: 'deployment', words: 'production deployments only' },
      { key: 'team', words: 'team payments' },
      { key: 'finishedSince', words: 'finished since 2026-11-01 00:00:00 UTC' },
      { key: 'finishedUntil', words: 'finished before 2026-12-01 00:00:00 UTC' },
    ]);
  });

  it('says failed phases, stages and production', () => {
    expect(
      describePromotionFilters({
        phase: 'Failed,RolledBack,Aborted',
        service: 'checkout',
        stage: 'prod',
        production: 'true',
        finishedSince: '7d',
      }).sentence,
    ).toBe(
      'Promotions into production stages in phases failed, rolled back or aborted of service checkout into stage prod finished in the last 7d.',
    );
    expect(describePromotionFilters({ deployment: 'false', production: 'true' }).sentence).toBe(
      'Promotions other than production deployments into production stages.',
    );
    expect(describePromotionFilters({}).sentence).toBe('Promotions.');
    expect(describePromotionFilters({}).parts).toEqual([]);
  });
});
