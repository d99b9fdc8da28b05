import { describe, expect, it } from 'vitest';
import { describeIncidentFilters, incidentQuery, rollbackWords } from './incident-words';

describe('incident filters', () => {
  it('becomes the API query, leaving out an unknown status', () => {
    expect(incidentQuery({ status: 'closed', service: 'checkout', openedSince: '7d' })).toEqual({
      service: 'checkout',
      openedSince: '7d',
    });
    expect(incidentQuery({ status: 'open' })).toEqual({ status: 'open' });
  });

  it('says them in words', () => {
    const { sentence, parts } = describeIncidentFilters({
      status: 'open',
      stage: 'prod',
      openedSince: '24h',
    });
    expect(sentence).toBe('Open incidents in stage prod opened in the last 24h.');
    expect(parts.map((part) => part.words)).toEqual(['open only', 'stage prod', 'opened in the last 24h']);
    expect(describeIncidentFilters({}).sentence).toBe('Incidents.');
  });
});

describe('what Gantry did about an incident', () => {
  const at = '2026-12-01T00:00:00Z';
  it('names the rollback promotion it started', () => {
    expect(rollbackWords({ action: 'promoted', promotionId: 'rb-1', reason: 'x', at })).toMatchObject({
      tone: 'active',
      headline: 'Rollback started',
      promotion: { id: 'rb-1', label: 'rollback promotion' },
    });
  });

  it('says when it withdrew, waits, or did nothing', () => {
    expect(rollbackWords({ action: 'withdrawn', promotionId: 'p-1', reason: 'x', at }).headline).toBe(
      'Rolled back in place',
    );
    expect(rollbackWords({ action: 'pending', promotionId: 'p-1', reason: 'x', at })).toMatchObject({
      tone: 'waiting',
      promotion: { id: 'p-1' },
    });
    const skipped = rollbackWords({ action: 'skipped', promotionId: null, reason: 'x', at });
    expect(skipped).toMatchObject({ tone: 'neutral', headline: 'Not rolled back' });
    expect(skipped.promotion).toBeUndefined();
  });
});
