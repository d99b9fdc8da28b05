import { describe, expect, it } from 'vitest';
import { isDuration, momentWords, rangeWords } from './time-words';

describe('time filters in words', () => {
  it('tells durations from times', () => {
    expect(isDuration('7d')).toBe(true);
    expect(isDuration('1h30m')).toBe(true);
    expect(isDuration('2026-11-01')).toBe(false);
    expect(isDuration('yesterday')).toBe(false);
  });

  it('says a moment exactly, or as typed when it is neither', () => {
    expect(momentWords('2026-11-01T00:00:00Z')).toBe('2026-11-01 00:00:00 UTC');
    expect(momentWords('24h')).toBe('24h ago');
    expect(momentWords('yesterday')).toBe('“yesterday”');
    expect(momentWords('2026-13-45')).toBe('“2026-13-45”');
  });

  it('says a range with either bound or both', () => {
    expect(rangeWords('finished', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toBe(
      'finished between 2026-11-01 00:00:00 UTC and 2026-12-01 00:00:00 UTC',
    );
    expect(rangeWords('finished', '7d', undefined)).toBe('finished in the last 7d');
    expect(rangeWords('opened', '2026-11-01T00:00:00Z', undefined)).toBe(
      'opened since 2026-11-01 00:00:00 UTC',
    );
    expect(rangeWords('opened', undefined, '30d')).toBe('opened more than 30d ago');
    expect(rangeWords('opened', undefined, '2026-12-01T00:00:00Z')).toBe(
      'opened before 2026-12-01 00:00:00 UTC',
    );
    expect(rangeWords('opened', undefined, undefined)).toBeUndefined();
  });
});
