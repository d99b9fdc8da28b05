import { exact } from '../../components/time';

// Time filters in words. The API takes an ISO 8601 time or a duration back
// from now (24h, 7d), and the words say which: "since 2026-11-01 00:00:00 UTC",
// "in the last 7d".

const DURATION = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))*$/;

export function isDuration(value: string): boolean {
  return DURATION.test(value.trim());
}

/** A moment as people read it: `7d ago`, or the exact UTC time, or the text as typed when it is neither. */
export function momentWords(value: string): string {
  const trimmed = value.trim();
  if (isDuration(trimmed)) return `${trimmed} ago`;
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(Date.parse(trimmed))) return exact(trimmed);
  return `“${trimmed}”`;
}

/** The lower bound alone: `finished in the last 7d`, `finished since 2026-11-01 00:00:00 UTC`. */
export function sinceWords(verb: string, since: string): string {
  return isDuration(since) ? `${verb} in the last ${since.trim()}` : `${verb} since ${momentWords(since)}`;
}

/** The upper bound alone: `finished more than 7d ago`, `finished before 2026-12-01 00:00:00 UTC`. */
export function untilWords(verb: string, until: string): string {
  return isDuration(until) ? `${verb} more than ${until.trim()} ago` : `${verb} before ${momentWords(until)}`;
}

/** Both bounds, either, or none (undefined). */
export function rangeWords(
  verb: string,
  since: string | undefined,
  until: string | undefined,
): string | undefined {
  if (since && until) return `${verb} between ${momentWords(since)} and ${momentWords(until)}`;
  if (since) return sinceWords(verb, since);
  if (until) return untilWords(verb, until);
  return undefined;
}

/** What a time field accepts, as its placeholder says. */
export const TIME_PLACEHOLDER = '7d or 2026-11-01T00:00:00Z';
