import { describe, expect, it } from 'vitest';
import { activeFreeze, cronProblem, nextFreeze, timeZoneProblem } from './freeze-window.js';
import type { FreezeWindowSpec } from './pipeline-spec.js';

const HOUR = 3_600_000;

function window(cron: string, hours: number, timeZone = 'UTC'): FreezeWindowSpec {
  return { cron, duration: { text: `${hours}h`, ms: hours * HOUR }, timeZone };
}

const weekend = window('0 16 * * FRI', 64, 'Europe/Madrid');
const iso = (date: Date | undefined): string | undefined => date?.toISOString();

describe('freeze windows', () => {
  describe('a weekend freeze, FRI 16:00 Europe/Madrid for 64h', () => {
    // January: CET, UTC+1. Friday 2026-01-09 16:00 local is 15:00Z; Monday 08:00 local is 07:00Z.
    it('holds from Friday 16:00 until Monday 08:00 local', () => {
      const saturday = activeFreeze([weekend], new Date('2026-01-10T11:00:00Z'));
      expect(iso(saturday?.start)).toBe('2026-01-09T15:00:00.000Z');
      expect(iso(saturday?.end)).toBe('2026-01-12T07:00:00.000Z');
      expect(saturday?.window).toBe(weekend);
      expect(saturday?.index).toBe(0);
    });

    it('includes its start and excludes its end', () => {
      expect(activeFreeze([weekend], new Date('2026-01-09T14:59:59.999Z'))).toBeNull();
      expect(iso(activeFreeze([weekend], new Date('2026-01-09T15:00:00Z'))?.start)).toBe(
        '2026-01-09T15:00:00.000Z',
      );
      expect(activeFreeze([weekend], new Date('2026-01-12T06:59:59.999Z'))).not.toBeNull();
      expect(activeFreeze([weekend], new Date('2026-01-12T07:00:00Z'))).toBeNull();
    });

    it('starts at 16:00 local on both sides of the spring change, and lasts 64 elapsed hours', () => {
      // Clocks go forward on Sunday 2026-03-29: Friday is CET (16:00 = 15:00Z), Monday CEST.
      const monday = activeFreeze([weekend], new Date('2026-03-30T06:30:00Z'));
      expect(iso(monday?.start)).toBe('2026-03-27T15:00:00.000Z');
      expect(iso(monday?.end)).toBe('2026-03-30T07:00:00.000Z'); // 09:00 CEST
      expect(iso(nextFreeze([weekend], new Date('2026-03-30T12:00:00Z'))?.start)).toBe(
        '2026-04-03T14:00:00.000Z',
      );
    });

    it('starts at 16:00 local on both sides of the autumn change, and lasts 64 elapsed hours', () => {
      // Clocks go back on Sunday 2026-10-25: Friday is CEST (16:00 = 14:00Z), Monday CET.
      const sunday = activeFreeze([weekend], new Date('2026-10-25T12:00:00Z'));
      expect(iso(sunday?.start)).toBe('2026-10-23T14:00:00.000Z');
      expect(iso(sunday?.end)).toBe('2026-10-26T06:00:00.000Z'); // 07:00 CET
      expect(activeFreeze([weekend], new Date('2026-10-26T06:00:00Z'))).toBeNull();
      expect(iso(nextFreeze([weekend], new Date('2026-10-26T12:00:00Z'))?.start)).toBe(
        '2026-10-30T15:00:00.000Z',
      );
    });
  });

  it('starts a window whose local time does not exist on the spring change at the end of the gap', () => {
    const nightly = window('30 2 * * *', 1, 'Europe/Madrid');
    // 02:30 does not exist on 2026-03-29; the window opens at 03:00 CEST (01:00Z).
    const held = activeFreeze([nightly], new Date('2026-03-29T01:30:00Z'));
    expect(iso(held?.start)).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(held?.end)).toBe('2026-03-29T02:00:00.000Z');
    // 02:30 happens twice on 2026-10-25; the window opens once, at the first (00:30Z).
    expect(iso(nextFreeze([nightly], new Date('2026-10-24T12:00:00Z'))?.start)).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(iso(nextFreeze([nightly], new Date('2026-10-25T00:30:00Z'))?.start)).toBe(
      '2026-10-26T01:30:00.000Z',
    );
  });

  it('handles a duration longer than the time between occurrences', () => {
    const overlapping = window('0 22 * * *', 36);
    // Occurrences at 22:00 every day, each lasting 36h: the latest one at or before `at` is the start.
    const held = activeFreeze([overlapping], new Date('2026-05-02T21:00:00Z'));
    expect(iso(held?.start)).toBe('2026-05-01T22:00:00.000Z');
    expect(iso(held?.end)).toBe('2026-05-03T10:00:00.000Z');
    const weekly = window('0 0 * * MON', 24 * 10); // ten days from every Monday: never open
    expect(activeFreeze([weekly], new Date('2026-05-06T12:00:00Z'))?.start).toEqual(
      new Date('2026-05-04T00:00:00Z'),
    );
  });

  it('returns the active window that ends last, and the next window to start', () => {
    const lunch = window('0 12 * * *', 1);
    const afternoon = window('0 11 * * *', 4);
    const held = activeFreeze([lunch, afternoon], new Date('2026-05-04T12:30:00Z'));
    expect(held?.index).toBe(1);
    expect(iso(held?.end)).toBe('2026-05-04T15:00:00.000Z');
    const next = nextFreeze([lunch, afternoon], new Date('2026-05-04T11:30:00Z'));
    expect(next?.index).toBe(0);
    expect(iso(next?.start)).toBe('2026-05-04T12:00:00.000Z');
    expect(iso(next?.end)).toBe('2026-05-04T13:00:00.000Z');
    expect(activeFreeze([], new Date())).toBeNull();
    expect(nextFreeze([], new Date())).toBeNull();
  });

  it('explains cron expressions it cannot use', () => {
    expect(cronProblem('0 16 * * FRI')).toBeUndefined();
    expect(cronProblem('@weekly')).toBeUndefined();
    expect(cronProblem('0 16 * FRI')).toBe(
      '"0 16 * FRI" has 4 fields; a cron expression has 5: minute hour day-of-month month day-of-week',
    );
    expect(cronProblem('0 0 16 * * FRI')).toMatch(/has 6 fields/);
    expect(cronProblem('61 16 * * *')).toBe(
      '"61 16 * * *" is not a cron expression (minute hour day-of-month month day-of-week): Invalid value for minute: 61',
    );
    expect(cronProblem('0 16 * * FRX')).toMatch(/^"0 16 \* \* FRX" is not a cron expression .*FRX/);
    expect(cronProblem('0 0 30 2 *')).toBe('"0 0 30 2 *" never occurs');
  });

  it('explains time zones it does not know', () => {
    expect(timeZoneProblem('Europe/Madrid')).toBeUndefined();
    expect(timeZoneProblem('UTC')).toBeUndefined();
    expect(timeZoneProblem('Europe/Madri')).toBe(
      '"Europe/Madri" is not a known time zone; did you mean "Europe/Madrid"?',
    );
    expect(timeZoneProblem('Mars/Olympus')).toBe('"Mars/Olympus" is not a known time zone');
  });
});
