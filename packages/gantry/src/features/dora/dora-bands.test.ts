import { describe, expect, it } from 'vitest';
import { bandOf, DORA_2023_BANDS, parseBandsOverride } from './dora-bands.js';

const DAY = 86_400;

describe('bandOf with the 2023 bars', () => {
  it('rates deployment frequency per day, higher is better', () => {
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 3)).toBe('elite');
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 1)).toBe('elite');
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 0.5)).toBe('high');
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 1 / 7)).toBe('high');
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 0.1)).toBe('medium');
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 0.01)).toBe('low');
    expect(bandOf(DORA_2023_BANDS, 'deploymentFrequency', 0)).toBe('low');
  });

  it('rates lead time, lower is better, the bar itself included', () => {
    expect(bandOf(DORA_2023_BANDS, 'leadTime', 3_600)).toBe('elite');
    expect(bandOf(DORA_2023_BANDS, 'leadTime', DAY)).toBe('elite');
    expect(bandOf(DORA_2023_BANDS, 'leadTime', DAY + 1)).toBe('high');
    expect(bandOf(DORA_2023_BANDS, 'leadTime', 20 * DAY)).toBe('medium');
    expect(bandOf(DORA_2023_BANDS, 'leadTime', 31 * DAY)).toBe('low');
  });

  it('rates change failure rate and recovery time', () => {
    expect(bandOf(DORA_2023_BANDS, 'changeFailureRate', 0)).toBe('elite');
    expect(bandOf(DORA_2023_BANDS, 'changeFailureRate', 0.1)).toBe('high');
    expect(bandOf(DORA_2023_BANDS, 'changeFailureRate', 0.15)).toBe('medium');
    expect(bandOf(DORA_2023_BANDS, 'changeFailureRate', 0.25)).toBe('low');
    expect(bandOf(DORA_2023_BANDS, 'recoveryTime', 1_800)).toBe('elite');
    expect(bandOf(DORA_2023_BANDS, 'recoveryTime', 5 * 3_600)).toBe('high');
    expect(bandOf(DORA_2023_BANDS, 'recoveryTime', 3 * DAY)).toBe('medium');
    expect(bandOf(DORA_2023_BANDS, 'recoveryTime', 8 * DAY)).toBe('low');
  });

  it('has no band without a figure', () => {
    expect(bandOf(DORA_2023_BANDS, 'recoveryTime', null)).toBeNull();
  });
});

describe('parseBandsOverride', () => {
  it('changes only the bars it names, reading durations', () => {
    const bands = parseBandsOverride('{"leadTime": {"elite": "2d"}, "changeFailureRate": {"high": 0.12}}');
    expect(bands.leadTime).toEqual({ elite: 2 * DAY, high: 7 * DAY, medium: 30 * DAY });
    expect(bands.changeFailureRate).toEqual({ elite: 0.05, high: 0.12, medium: 0.15 });
    expect(bands.deploymentFrequency).toEqual(DORA_2023_BANDS.deploymentFrequency);
    expect(bands.source).toContain('overridden by GANTRY_DORA_BANDS');
    expect(bandOf(bands, 'leadTime', 1.5 * DAY)).toBe('elite');
  });

  it('keeps a source it is given', () => {
    expect(parseBandsOverride('{"source": "ACME 2027 targets"}').source).toBe('ACME 2027 targets');
  });

  it('says what is wrong', () => {
    expect(() => parseBandsOverride('{leadTime')).toThrow(/^is not JSON/);
    expect(() => parseBandsOverride('{"leadtime": {}}')).toThrow(/leadtime/);
    expect(() => parseBandsOverride('{"leadTime": {"elite": "soon"}}')).toThrow(
      /leadTime.elite: "soon" is not a duration/,
    );
    expect(() => parseBandsOverride('{"changeFailureRate": {"elite": 5}}')).toThrow(
      /changeFailureRate.elite/,
    );
    expect(() => parseBandsOverride('{"leadTime": {"elite": "10d"}}')).toThrow(
      'leadTime: the bars must keep elite ≤ high ≤ medium, but they are elite 864000, high 604800, medium 2592000',
    );
  });
});
