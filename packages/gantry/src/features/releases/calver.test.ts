import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import {
  assertValidVersion,
  calverPrefix,
  compareVersions,
  formatCalVer,
  isValidVersion,
  nextCalVer,
  parseCalVer,
} from './calver.js';

const at = (iso: string): Date => new Date(iso);

describe('calverPrefix', () => {
  it.each([
    ['2026-11-20T10:00:00Z', '2026.11'],
    ['2026-03-01T00:00:00Z', '2026.03'],
    ['2026-11-30T23:59:59.999Z', '2026.11'],
    ['2026-12-01T00:00:00Z', '2026.12'],
    ['2026-12-31T23:59:59Z', '2026.12'],
    ['2027-01-01T00:00:00Z', '2027.01'],
    // Still November in UTC, although already December in Madrid.
    ['2026-12-01T00:30:00+01:00', '2026.11'],
  ])('%s → %s', (iso, prefix) => {
    expect(calverPrefix(at(iso))).toBe(prefix);
  });

  it('refuses an invalid date', () => {
    expect(() => calverPrefix(new Date('soon'))).toThrow(ValidationError);
  });
});

describe('parseCalVer', () => {
  it.each([
    ['2026.11.1', { year: 2026, month: 11, n: 1 }],
    ['2026.01.42', { year: 2026, month: 1, n: 42 }],
    ['2027.12.1000', { year: 2027, month: 12, n: 1000 }],
  ])('reads %s', (version, parts) => {
    expect(parseCalVer(version)).toEqual(parts);
    expect(formatCalVer(parts)).toBe(version);
  });

  it.each([
    '2026.11',
    '2026.11.0',
    '2026.11.01',
    '2026.1.1',
    '2026.13.1',
    '2026.00.1',
    '0999.11.1',
    '26.11.1',
    'v2026.11.1',
    '2026.11.1-rc1',
    '2026-11-1',
    '2026.11.1.2',
    ' 2026.11.1',
    '1.4.2',
    '',
  ])('does not read %j as CalVer', (version) => {
    expect(parseCalVer(version)).toBeNull();
  });
});

describe('nextCalVer', () => {
  const NOV = at('2026-11-20T10:00:00Z');

  it.each<[string, Date, string[], string]>([
    ['first of the month', NOV, [], '2026.11.1'],
    ['after the highest', NOV, ['2026.11.1', '2026.11.2', '2026.11.3'], '2026.11.4'],
    ['in any order', NOV, ['2026.11.10', '2026.11.9', '2026.11.2'], '2026.11.11'],
    ['gaps are not filled', NOV, ['2026.11.1', '2026.11.7'], '2026.11.8'],
    ['other months ignored', NOV, ['2026.10.14', '2026.12.3', '2025.11.9'], '2026.11.1'],
    [
      'explicit versions ignored',
      NOV,
      ['v1.4.2', '2026.11.20-rc1', '2026.11.99.1', '2026.11', 'hotfix', '2026.11.2'],
      '2026.11.3',
    ],
    ['month rollover: last second of November', at('2026-11-30T23:59:59Z'), ['2026.11.5'], '2026.11.6'],
    ['month rollover: first second of December', at('2026-12-01T00:00:00Z'), ['2026.11.5'], '2026.12.1'],
    ['year rollover: last second of the year', at('2026-12-31T23:59:59Z'), ['2026.12.8'], '2026.12.9'],
    [
      'year rollover: first second of the next',
      at('2027-01-01T00:00:00Z'),
      ['2026.12.8', '2026.01.3'],
      '2027.01.1',
    ],
  ])('%s', (_case, date, existing, expected) => {
    expect(nextCalVer(date, existing)).toBe(expected);
  });
});

describe('compareVersions', () => {
  it.each([
    ['2026.11.2', '2026.11.10', -1],
    ['2026.11.10', '2026.11.9', 1],
    ['2026.11.3', '2026.12.1', -1],
    ['2026.12.40', '2027.01.1', -1],
    ['2026.11.3', '2026.11.3', 0],
    ['v1.9.0', 'v1.10.0', -1],
    ['v1.10.0', 'v1.9.0', 1],
    ['1.2', '1.2.1', -1],
    ['release-2', 'release-10', -1],
    ['alpha', 'beta', -1],
    ['v1.01', 'v1.1', -1],
    ['2026.11.3', 'v1.0', -1],
    ['99999999999999999999.1', '100000000000000000000.0', -1],
  ] as const)('%s vs %s → %d', (a, b, order) => {
    expect(compareVersions(a, b)).toBe(order);
    expect(compareVersions(b, a)).toBe(-order || 0);
  });

  it('sorts a mixed list of releases', () => {
    const versions = ['2026.12.1', 'v1.10', '2026.11.10', '2026.11.2', 'v1.9', '2027.01.1', '2026.11.1'];
    expect([...versions].sort(compareVersions)).toEqual([
      '2026.11.1',
      '2026.11.2',
      '2026.11.10',
      '2026.12.1',
      '2027.01.1',
      'v1.9',
      'v1.10',
    ]);
  });
});

describe('isValidVersion', () => {
  it.each(['1', '2026.11.3', 'v1.4.2', '1.0.0+build.7', '2026.11.20-rc_1', 'a'.repeat(64), 'A-b.C_d+E'])(
    'accepts %j',
    (version) => {
      expect(isValidVersion(version)).toBe(true);
      expect(() => assertValidVersion(version)).not.toThrow();
    },
  );

  it.each([
    '',
    'a'.repeat(65),
    '.hidden',
    '-rc1',
    '_x',
    '+1',
    'v1 2',
    'v1/2',
    'v1:2',
    '1.0\n',
    'ünïcode',
    '../etc',
  ])('refuses %j', (version) => {
    expect(isValidVersion(version)).toBe(false);
    expect(() => assertValidVersion(version)).toThrow(ValidationError);
  });

  it('says what a version may look like', () => {
    expect(() => assertValidVersion('v1 2')).toThrow(
      `version "v1 2" is not valid: use 1 to 64 letters, digits, '.', '_', '+' or '-', starting with a letter or digit (e.g. 2026.11.3 or v1.4.2)`,
    );
  });
});
