import { describe, expect, it } from 'vitest';
import { keepSearch, readFilters, splitList, withoutFilters, writeFilters } from './url-filters';

const KEYS = ['service', 'phase'] as const;

describe('URL filters', () => {
  it('reads the filters named, trimmed, leaving out empty ones', () => {
    const search = new URLSearchParams('service=%20checkout%20&phase=&other=x');
    expect(readFilters(search, KEYS)).toEqual({ service: 'checkout' });
  });

  it('writes the filters, removes the ones left out, keeps other parameters', () => {
    const search = new URLSearchParams('service=checkout&tab=logs');
    expect(writeFilters<(typeof KEYS)[number]>(search, KEYS, { phase: 'Failed,RolledBack' }).toString()).toBe(
      'tab=logs&phase=Failed%2CRolledBack',
    );
    expect(writeFilters<(typeof KEYS)[number]>(search, KEYS, { service: '  ' }).toString()).toBe('tab=logs');
  });

  it('removes filters by name', () => {
    expect(withoutFilters<(typeof KEYS)[number]>({ service: 'a', phase: 'Failed' }, ['phase'])).toEqual({
      service: 'a',
    });
  });

  it('keeps the query string on links', () => {
    expect(keepSearch('status=open')).toBe('?status=open');
    expect(keepSearch('?status=open')).toBe('?status=open');
    expect(keepSearch('')).toBe('');
  });

  it('splits comma-separated lists', () => {
    expect(splitList(' Failed, RolledBack ,,')).toEqual(['Failed', 'RolledBack']);
    expect(splitList(undefined)).toEqual([]);
  });
});
