import { describe, expect, it } from 'vitest';
import { count, listWords, shortId, truncate, webLink } from './text';

describe('list wordings', () => {
  it('truncates to one line with an ellipsis', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('Error: boom\n    at x\n    at y', 15)).toBe('Error: boom at…');
    expect(truncate('abcdefghij', 10)).toBe('abcdefghij');
    expect(truncate('abcdefghijk', 10)).toHaveLength(10);
  });

  it('joins words', () => {
    expect(listWords([])).toBe('');
    expect(listWords(['failed'])).toBe('failed');
    expect(listWords(['failed', 'rolled back', 'aborted'])).toBe('failed, rolled back or aborted');
    expect(listWords(['a', 'b'], 'and')).toBe('a and b');
  });

  it('counts', () => {
    expect(count(1, { one: 'audit entry', many: 'audit entries' })).toBe('1 audit entry');
    expect(count(0, { one: 'audit entry', many: 'audit entries' })).toBe('0 audit entries');
  });

  it('shortens ids', () => {
    expect(shortId('0193a4b2-7c1d-7e55')).toBe('0193a4b2');
    expect(shortId('p-1')).toBe('p-1');
  });

  it('links out only to http(s)', () => {
    expect(webLink('https://alerts.example/a?b=1')).toBe('https://alerts.example/a?b=1');
    expect(webLink('javascript:alert(1)')).toBeUndefined();
    expect(webLink('data:text/html,hi')).toBeUndefined();
    expect(webLink('not a url')).toBeUndefined();
  });
});
