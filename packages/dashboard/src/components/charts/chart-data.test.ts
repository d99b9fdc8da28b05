import { describe, expect, it } from 'vitest';
import {
  alignedColumns,
  durationScale,
  formatNumber,
  formatValue,
  thinTicks,
  timeTicks,
  xRange,
  yRange,
} from './chart-data';

describe('formatNumber', () => {
  it('keeps three significant digits without exponents for everyday sizes', () => {
    expect(formatNumber(0.031746)).toBe('0.0317');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(1234.5)).toBe('1235');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(0.00001234)).toBe('1.23e-5');
  });
});

describe('formatValue', () => {
  it('reads each kind of axis', () => {
    expect(formatValue('weight', 50)).toBe('50 %');
    expect(formatValue('rate', 0.125)).toBe('12.5 %');
    expect(formatValue('count', 3)).toBe('3');
    expect(formatValue('hours', 1.5)).toBe('1.5 h');
    expect(formatValue('minutes', 12)).toBe('12 min');
    expect(formatValue('days', 2)).toBe('2 d');
  });
});

describe('durationScale', () => {
  it('picks the unit durations read best in', () => {
    expect(durationScale([30, 600, null])).toEqual({ kind: 'minutes', divisor: 60 });
    expect(durationScale([3 * 3600])).toEqual({ kind: 'hours', divisor: 3600 });
    expect(durationScale([5 * 86400, null])).toEqual({ kind: 'days', divisor: 86400 });
    expect(durationScale([])).toEqual({ kind: 'minutes', divisor: 60 });
  });
});

describe('yRange', () => {
  it('fits the data and every threshold, with room around, not below zero', () => {
    const [low, high] = yRange(0.01, 0.03, { thresholds: [0.05, 0.1] });
    expect(low).toBeCloseTo(0.001);
    expect(high).toBeCloseTo(0.109);
    expect(yRange(0, 10)).toEqual([0, 11]);
    expect(yRange(10, 20)).toEqual([9, 21]);
  });

  it('keeps fixed ends', () => {
    expect(yRange(0, 10, { min: 0, max: 100 })).toEqual([0, 100]);
  });

  it('spreads a single value and copes with no data', () => {
    expect(yRange(5, 5)).toEqual([4.5, 5.5]);
    expect(yRange(null, null)).toEqual([0, 1.1]);
    expect(yRange(-3, -1)).toEqual([-3.2, -0.8]);
  });
});

describe('alignedColumns', () => {
  it('puts x first, then each series', () => {
    expect(
      alignedColumns({
        x: [1, 2],
        series: [
          { label: 'a', colour: 'chart-1', style: 'line', values: [3, null] },
          { label: 'b', colour: 'chart-2', style: 'line', values: [null, 4] },
        ],
      }),
    ).toEqual([
      [1, 2],
      [3, null],
      [null, 4],
    ]);
  });
});

describe('xRange', () => {
  it('leaves room on both sides of the data', () => {
    expect(xRange(1000, 2000)).toEqual([970, 2030]);
    expect(xRange(1000, 1000)).toEqual([970, 1030]);
    expect(xRange(null, null)).toEqual([0, 1]);
  });
});

describe('timeTicks', () => {
  const at = Date.parse('2026-09-07T10:05:30Z') / 1000;
  it('labels in UTC as precisely as the spacing needs', () => {
    expect(timeTicks([at], 10)).toEqual(['10:05:30']);
    expect(timeTicks([at], 300)).toEqual(['10:05']);
    expect(timeTicks([at, at + 7 * 86400], 7 * 86400)).toEqual(['7 Sep', '14 Sep']);
  });
});

describe('thinTicks', () => {
  const weeks = Array.from({ length: 13 }, (_, index) => index);
  it('keeps every value that fits, else every k-th from the first', () => {
    expect(thinTicks(weeks, 2000, 80)).toEqual(weeks);
    expect(thinTicks(weeks, 400, 80)).toEqual([0, 3, 6, 9, 12]);
    expect(thinTicks(weeks, 50, 80)).toEqual([0]);
    expect(thinTicks([], 400, 80)).toEqual([]);
  });
});
