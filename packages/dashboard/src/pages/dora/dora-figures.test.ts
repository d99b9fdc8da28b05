import { describe, expect, it } from 'vitest';
import { doraReport } from './dora-fixture';
import { bandLook, filtersFrom, frequencyWords, percent, recordLinks, weeklyCharts } from './dora-figures';

describe('frequencyWords', () => {
  it('says how often in the unit that reads best', () => {
    expect(frequencyWords(2.345)).toBe('2.3 a day');
    expect(frequencyWords(1)).toBe('1 a day');
    expect(frequencyWords(0.5)).toBe('3.5 a week');
    expect(frequencyWords(0.05)).toBe('1.5 a month');
    expect(frequencyWords(0)).toBe('none');
  });
});

describe('percent', () => {
  it('keeps one decimal', () => {
    expect(percent(2 / 14)).toBe('14.3 %');
    expect(percent(0)).toBe('0 %');
  });
});

describe('bandLook', () => {
  it('gives every band a tone and a word, and no band "not enough data"', () => {
    expect(bandLook('elite')).toMatchObject({ tone: 'ok', words: 'elite' });
    expect(bandLook('low')).toMatchObject({ tone: 'bad', words: 'low' });
    expect(bandLook(null)).toMatchObject({ tone: 'neutral', words: 'not enough data' });
  });
});

describe('filtersFrom', () => {
  it('reads the URL, with 30 days by default and the service over the team', () => {
    expect(filtersFrom(new URLSearchParams(''))).toEqual({ window: '30d' });
    expect(filtersFrom(new URLSearchParams('team=demo&window=90d'))).toEqual({ team: 'demo', window: '90d' });
    expect(filtersFrom(new URLSearchParams('team=demo&service=hello'))).toEqual({
      service: 'hello',
      window: '30d',
    });
  });
});

describe('recordLinks', () => {
  it('lists the fleet’s records of the window', () => {
    const links = recordLinks(doraReport());
    expect(links.deployments).toBe(
      '/promotions?deployment=true&finishedSince=2026-11-01T00%3A00%3A00.000Z&finishedUntil=2026-12-01T00%3A00%3A00.000Z',
    );
    expect(links.incidents).toBe(
      '/incidents?openedSince=2026-11-01T00%3A00%3A00.000Z&openedUntil=2026-12-01T00%3A00%3A00.000Z',
    );
  });

  it('keeps a team’s scope for promotions (incidents have no team filter)', () => {
    const links = recordLinks(doraReport({ scope: { service: null, team: 'demo' } }));
    expect(new URLSearchParams(links.failedDeployments.split('?')[1]).get('team')).toBe('demo');
    expect(new URLSearchParams(links.failedDeployments.split('?')[1]).get('phase')).toBe(
      'Failed,RolledBack,Aborted',
    );
    expect(links.incidents).not.toContain('team');
  });
});

describe('weeklyCharts', () => {
  it('draws each metric per week, durations in a readable unit, gaps where a week has no value', () => {
    const charts = weeklyCharts(doraReport().weekly);
    const monday = Date.parse('2026-10-26T00:00:00Z') / 1000;
    expect(charts.map((chart) => chart.key)).toEqual([
      'deployments',
      'leadTime',
      'changeFailureRate',
      'recoveryTime',
    ]);
    expect(charts[0]!.data.x).toEqual([monday, monday + 7 * 86400, monday + 14 * 86400]);
    expect(charts[0]!.data.series[0]!.values).toEqual([1, 4, 0]);
    expect(charts[1]!.value).toBe('hours');
    expect(charts[1]!.data.series[0]!.values).toEqual([2, 4, null]);
    expect(charts[2]!.value).toBe('rate');
    expect(charts[2]!.data.series[0]!.values).toEqual([0, 0.2, null]);
    expect(charts[3]!.value).toBe('minutes');
    expect(charts[3]!.data.series[0]!.values).toEqual([null, 30, null]);
  });
});
