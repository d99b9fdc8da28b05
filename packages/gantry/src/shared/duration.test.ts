import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['64h', 230_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['250', 250],
  ])('parses %s', (text, millis) => {
    expect(parseDuration(text)).toBe(millis);
  });

  it.each(['', '5 minutes', '10x', 'm5', '-5s'])('rejects %j with a hint', (text) => {
    expect(() => parseDuration(text)).toThrow(/duration|empty/);
  });

  it('points at the part it cannot read', () => {
    expect(() => parseDuration('1h30 minutes')).toThrow('is not a duration (cannot read "30 minutes")');
  });

  it('formats back to the compact form', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(750)).toBe('750ms');
    expect(formatDuration(90_500)).toBe('1m30s500ms');
  });
});
