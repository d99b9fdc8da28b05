import { describe, expect, it } from 'vitest';
import { weightChart, type WeightChange } from './weight-series';

const at = (iso: string) => Date.parse(iso) / 1000;
const change = (iso: string, weight: number, step = 1): WeightChange => ({
  at: iso,
  step,
  weight,
  status: 'Progressing',
});

describe('weightChart', () => {
  const history = [
    change('2026-12-03T10:00:10.000Z', 10, 1),
    change('2026-12-03T10:00:00.000Z', 0, 1),
    change('2026-12-03T10:00:30.000Z', 50, 4),
  ];

  it('is a step line of the weights, oldest first, carried on to the end', () => {
    const chart = weightChart(history, '2026-12-03T10:01:00.000Z');
    expect(chart.x).toEqual([
      at('2026-12-03T10:00:00.000Z'),
      at('2026-12-03T10:00:10.000Z'),
      at('2026-12-03T10:00:30.000Z'),
      at('2026-12-03T10:01:00.000Z'),
    ]);
    expect(chart.series).toHaveLength(1);
    expect(chart.series[0]!.style).toBe('step');
    expect(chart.series[0]!.values).toEqual([0, 10, 50, 50]);
  });

  it('adds nothing when the end is not after the last change', () => {
    expect(weightChart(history, '2026-12-03T10:00:30.000Z').x).toHaveLength(3);
    expect(weightChart(history, undefined).x).toHaveLength(3);
  });

  it('has no points without history', () => {
    const chart = weightChart([], '2026-12-03T10:01:00.000Z');
    expect(chart.x).toEqual([]);
    expect(chart.series[0]!.values).toEqual([]);
  });
});
