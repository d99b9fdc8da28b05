// Release versions. Gantry numbers releases it creates with CalVer `YYYY.MM.N`:
// the UTC year and zero-padded month of creation, and N counting from 1 per
// service per month. CI may give a version of its own instead (`v1.4.2`,
// `2026.11.20-rc1`); such versions are checked for shape only and are ignored
// when the next CalVer number is chosen.

import { ValidationError } from '../../shared/errors.js';

export interface CalVer {
  year: number;
  month: number;
  n: number;
}

const CALVER = /^([1-9]\d{3})\.(0[1-9]|1[0-2])\.([1-9]\d{0,14})$/;
const VALID_VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

/** `2026.11` for any instant in November 2026, UTC. */
export function calverPrefix(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new ValidationError('cannot number a release for an invalid date');
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) {
    throw new ValidationError(`cannot number a release in the year ${year}; CalVer needs a four-digit year`);
  }
  return `${year}.${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The parts of a CalVer version, or null for anything else (including `2026.3.1` or `2026.11.0`). */
export function parseCalVer(version: string): CalVer | null {
  const match = CALVER.exec(version);
  if (!match) return null;
  return { year: Number(match[1]), month: Number(match[2]), n: Number(match[3]) };
}

export function formatCalVer({ year, month, n }: CalVer): string {
  return `${year}.${String(month).padStart(2, '0')}.${n}`;
}

/**
 * The next free version for a release created at `date`: one more than the
 * highest N among this month's CalVer versions (gaps are not filled), or N = 1.
 * Versions of other months and explicit non-CalVer versions are ignored.
 */
export function nextCalVer(date: Date, existingVersionsThisMonth: readonly string[]): string {
  const prefix = calverPrefix(date);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  let highest = 0;
  for (const version of existingVersionsThisMonth) {
    const parsed = parseCalVer(version);
    if (parsed && parsed.year === year && parsed.month === month) highest = Math.max(highest, parsed.n);
  }
  return `${prefix}.${highest + 1}`;
}

/**
 * Orders versions, oldest first. Two CalVer versions compare by year, month
 * and N. Anything else compares naturally: runs of digits by numeric value
 * (`v1.10` after `v1.9`), the rest character by character, and as a last
 * resort plain string order, so that distinct versions never compare equal.
 */
export function compareVersions(a: string, b: string): number {
  const left = parseCalVer(a);
  const right = parseCalVer(b);
  if (left && right) {
    return Math.sign(left.year - right.year || left.month - right.month || left.n - right.n);
  }
  return naturalCompare(a, b) || plainCompare(a, b);
}

function plainCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const CHUNK = /\d+|\D+/g;

function naturalCompare(a: string, b: string): number {
  const left = a.match(CHUNK) ?? [];
  const right = b.match(CHUNK) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    const xDigits = /^\d/.test(x);
    const yDigits = /^\d/.test(y);
    let order: number;
    if (xDigits && yDigits) {
      // Compare as numbers of any length: fewer significant digits is smaller.
      const xs = x.replace(/^0+(?=\d)/, '');
      const ys = y.replace(/^0+(?=\d)/, '');
      order = xs.length - ys.length || plainCompare(xs, ys);
    } else {
      order = plainCompare(x, y);
    }
    if (order !== 0) return Math.sign(order);
  }
  return Math.sign(left.length - right.length);
}

/** Whether a version given by a user is acceptable: 1–64 of `[0-9A-Za-z._+-]`, starting alphanumeric. */
export function isValidVersion(version: string): boolean {
  return VALID_VERSION.test(version);
}

/** Throws a ValidationError that says what a version may look like. */
export function assertValidVersion(version: string): void {
  if (isValidVersion(version)) return;
  throw new ValidationError(
    `version ${JSON.stringify(version.length > 80 ? `${version.slice(0, 64)}…` : version)} is not valid: use 1 to 64 letters, digits, '.', '_', '+' or '-', ` +
      'starting with a letter or digit (e.g. 2026.11.3 or v1.4.2)',
  );
}
