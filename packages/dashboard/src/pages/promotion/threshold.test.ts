import { describe, expect, it } from 'vitest';
import { parseThreshold, thresholdWords } from './threshold';

describe('parseThreshold', () => {
  it.each([
    ['result < 0.05', { op: '<', value: 0.05 }],
    ['result <= 500', { op: '<=', value: 500 }],
    ['result >= 0.2', { op: '>=', value: 0.2 }],
    ['result>1e-3', { op: '>', value: 0.001 }],
    ['  result < .5 ', { op: '<', value: 0.5 }],
    ['result > -1', { op: '>', value: -1 }],
    ['result[0] < 0.5', { op: '<', value: 0.5 }],
  ])('reads %s', (condition, threshold) => {
    expect(parseThreshold(condition)).toEqual(threshold);
  });

  it('turns a comparison written the other way round', () => {
    expect(parseThreshold('0.05 > result')).toEqual({ op: '<', value: 0.05 });
    expect(parseThreshold('500 <= result')).toEqual({ op: '>=', value: 500 });
  });

  it('reads a number argument from the run', () => {
    expect(parseThreshold('result < args.threshold', { threshold: '0.01' })).toEqual({
      op: '<',
      value: 0.01,
    });
    expect(parseThreshold('result < args.threshold', {})).toBeUndefined();
    expect(parseThreshold('result == args.version', { version: '2026.12.1' })).toBeUndefined();
    expect(parseThreshold('result < args.region', { region: 'eu-west-1' })).toBeUndefined();
  });

  it('looks past the usual no-data guard', () => {
    expect(parseThreshold('isNaN(result) or result < args.threshold', { threshold: '0.05' })).toEqual({
      op: '<',
      value: 0.05,
    });
    expect(parseThreshold('not isNaN(result) and result < 0.05')).toEqual({ op: '<', value: 0.05 });
  });

  it.each([
    null,
    '',
    'result == 1',
    'result != 0',
    'len(result) > 0 and result[0] < 0.05',
    'max(result) < 0.5',
    'result.errors <= 3',
    'result[1] < 0.5',
    '0 < 1',
    'result < result',
    'result < 0.05 or result > 2',
    'result < 0x10',
    'result < Infinity',
  ])('has no line for %s', (condition) => {
    expect(parseThreshold(condition)).toBeUndefined();
  });
});

describe('thresholdWords', () => {
  it('says on which side a measurement passes or fails', () => {
    expect(thresholdWords('passes', { op: '<', value: 0.05 }, '0.05')).toBe('passes below 0.05');
    expect(thresholdWords('fails', { op: '>=', value: 0.1 }, '0.1')).toBe('fails at or above 0.1');
  });
});
