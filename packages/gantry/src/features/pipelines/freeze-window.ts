// Freeze windows: recurring periods in which a stage accepts no promotion,
// such as "from Friday 16:00 for 64 hours" in the team's time zone. A window
// starts at each occurrence of its cron expression, read in its time zone,
// and lasts its duration as elapsed time: across a daylight-saving change the
// end moves by an hour on the wall clock (FRI 16:00 + 64h ends MON 09:00 after
// the spring change and MON 07:00 after the autumn one).

import { Cron } from 'croner';
import { didYouMean } from './did-you-mean.js';
import type { FreezeWindowSpec } from './pipeline-spec.js';

export interface FreezeOccurrence {
  window: FreezeWindowSpec;
  /** Position of the window in the stage's `freeze` list. */
  index: number;
  start: Date;
  /** Exclusive: at `end` the stage is open again (unless another window holds it). */
  end: Date;
}

function schedule(window: Pick<FreezeWindowSpec, 'cron' | 'timeZone'>): Cron {
  return new Cron(window.cron, { timezone: window.timeZone, paused: true, mode: '5-part' });
}

/**
 * The window that holds the stage at `at`, or null. An occurrence holds from
 * its start (inclusive) to start + duration (exclusive). When several
 * windows hold, the one that ends last is returned, since that is when the
 * stage can open. `start` is the latest occurrence of the window at or before
 * `at`: every occurrence lasts the same time, so if the latest one has ended,
 * every earlier one has too, even when the duration is longer than the time
 * between occurrences.
 */
export function activeFreeze(windows: readonly FreezeWindowSpec[], at: Date): FreezeOccurrence | null {
  let found: FreezeOccurrence | null = null;
  windows.forEach((window, index) => {
    // previousRuns excludes a run exactly at the reference; one millisecond later includes it.
    const [start] = schedule(window).previousRuns(1, new Date(at.getTime() + 1));
    if (start === undefined) return;
    const end = new Date(start.getTime() + window.duration.ms);
    if (end.getTime() > at.getTime() && (found === null || end.getTime() > found.end.getTime())) {
      found = { window, index, start, end };
    }
  });
  return found;
}

/** The first window occurrence that starts after `at` (strictly), or null if none ever will. */
export function nextFreeze(windows: readonly FreezeWindowSpec[], at: Date): FreezeOccurrence | null {
  let found: FreezeOccurrence | null = null;
  windows.forEach((window, index) => {
    const start = schedule(window).nextRun(at);
    if (start === null) return;
    if (found === null || start.getTime() < found.start.getTime()) {
      found = { window, index, start, end: new Date(start.getTime() + window.duration.ms) };
    }
  });
  return found;
}

/**
 * Why `expression` is not a usable five-field cron expression (minute hour
 * day-of-month month day-of-week; names such as FRI and nicknames such as
 * @weekly are fine), or undefined when it is.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
  if (!expression.trim().startsWith('@') && fields.length !== 5) {
    return `"${expression}" has ${fields.length} ${fields.length === 1 ? 'field' : 'fields'}; a cron expression has 5: minute hour day-of-month month day-of-week`;
  }
  let cron: Cron;
  try {
    cron = schedule({ cron: expression, timeZone: 'UTC' });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
    return `"${expression}" is not a cron expression (minute hour day-of-month month day-of-week): ${reason}`;
  }
  // Without a year field a pattern that occurs at all occurs within any 28 years, so a fixed start will do.
  if (cron.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    return `"${expression}" never occurs`;
  }
  return undefined;
}

let knownTimeZones: string[] | undefined;

/** Why `timeZone` is not an IANA time zone this runtime knows, or undefined when it is. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    knownTimeZones ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
    return `"${timeZone}" is not a known time zone${didYouMean(timeZone, knownTimeZones)}`;
  }
}
