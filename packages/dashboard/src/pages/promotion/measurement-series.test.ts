import { describe, expect, it } from 'vitest';
import {
  measurementChart,
  measurementRows,
  metricThresholds,
  numericValue,
  shownValue,
  type Measurement,
} from './measurement-series';

const measurement = (overrides: Partial<Measurement>): Measurement => ({
  metric: 'error-rate',
  phase: 'Successful',
  value: 0.01,
  message: null,
  startedAt: '2026-12-03T10:00:00.000Z',
  finishedAt: '2026-12-03T10:00:01.000Z',
  ...overrides,
});

describe('numericValue', () => {
  it('takes numbers, numeric text and one-series vectors', () => {
    expect(numericValue(0.05)).toBe(0.05);
    expect(numericValue('0.05')).toBe(0.05);
    expect(numericValue([0.3])).toBe(0.3);
    expect(numericValue(['12'])).toBe(12);
  });

  it('leaves out what is not one finite number', () => {
    for (const value of [null, undefined, '', 'NaN', '+Inf', Number.NaN, [], [1, 2], { errors: 3 }, true]) {
      expect(numericValue(value)).toBeUndefined();
    }
  });
});

describe('shownValue', () => {
  it('writes any value for the table', () => {
    expect(shownValue(0.031746031746)).toBe('0.03175');
    expect(shownValue(null)).toBe('no value');
    expect(shownValue('2026.12.1')).toBe('2026.12.1');
    expect(shownValue([0.2, 0.3])).toBe('[0.2,0.3]');
    expect(shownValue({ status: 'ok' })).toBe('{"status":"ok"}');
  });
});

describe('measurementRows', () => {
  it('keeps the metric’s measurements, oldest first', () => {
    const rows = measurementRows('error-rate', [
      measurement({ finishedAt: '2026-12-03T10:00:05.000Z', phase: 'Failed', value: 0.3 }),
      measurement({ metric: 'latency', value: 120 }),
      measurement({ finishedAt: '2026-12-03T10:00:01.000Z', value: [0.01] }),
    ]);
    expect(rows.map((row) => [row.at, row.phase, row.number, row.shown])).toEqual([
      ['2026-12-03T10:00:01.000Z', 'Successful', 0.01, '[0.01]'],
      ['2026-12-03T10:00:05.000Z', 'Failed', 0.3, '0.3'],
    ]);
  });
});

describe('measurementChart', () => {
  it('puts each drawable measurement at its end, in the series of its phase', () => {
    const rows = measurementRows('error-rate', [
      measurement({ finishedAt: '2026-12-03T10:00:01.000Z', phase: 'Failed', value: 0.3 }),
      measurement({ finishedAt: '2026-12-03T10:00:02.000Z', phase: 'Successful', value: 0.01 }),
      measurement({ finishedAt: '2026-12-03T10:00:03.000Z', phase: 'Error', value: null }),
      measurement({ finishedAt: '2026-12-03T10:00:04.000Z', phase: 'Inconclusive', value: '0.07' }),
    ]);
    const chart = measurementChart(rows, []);
    const start = Date.parse('2026-12-03T10:00:00.000Z') / 1000;
    expect(chart.x).toEqual([start + 1, start + 2, start + 4]);
    expect(chart.series.map((series) => [series.label, series.colour, series.shape, series.values])).toEqual([
      ['Successful', 'ok-fg', 'circle', [null, 0.01, null]],
      ['Failed', 'bad-fg', 'cross', [0.3, null, null]],
      ['Inconclusive', 'waiting-fg', 'triangle', [null, null, 0.07]],
    ]);
    expect(chart.series.every((series) => series.style === 'points')).toBe(true);
  });

  it('has no points when no value is a single number', () => {
    const rows = measurementRows('p99', [measurement({ metric: 'p99', value: [0.2, 0.4] })]);
    expect(measurementChart(rows, [])).toEqual({ x: [], series: [], thresholds: [] });
  });
});

describe('metricThresholds', () => {
  it('draws the conditions that are plain comparisons, with their meaning', () => {
    expect(
      metricThresholds(
        {
          name: 'error-rate',
          successCondition: 'isNaN(result) or result < args.limit',
          failureCondition: 'result >= 0.1',
          failureLimit: 0,
        },
        { limit: '0.05' },
      ),
    ).toEqual([
      { value: 0.05, colour: 'ok-fg', label: 'passes below 0.05' },
      { value: 0.1, colour: 'bad-fg', label: 'fails at or above 0.1' },
    ]);
    expect(
      metricThresholds(
        {
          name: 'version',
          successCondition: 'result == args.version',
          failureCondition: null,
          failureLimit: 0,
        },
        { version: '2026.12.1' },
      ),
    ).toEqual([]);
  });
});
