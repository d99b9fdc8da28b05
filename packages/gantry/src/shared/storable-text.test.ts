import { describe, expect, it } from 'vitest';
import { unstorableTextAt } from './storable-text.js';

describe('unstorableTextAt', () => {
  it('finds NUL characters and lone surrogates, which PostgreSQL cannot store, and says where', () => {
    expect(unstorableTextAt({ ref: 'refs/heads/main', commits: [{ title: 'ok ✓ 🚀' }] })).toBeUndefined();
    expect(unstorableTextAt({ commits: [{ title: 'a\u0000b' }] })).toBe('commits[0].title');
    expect(unstorableTextAt({ ref: '\ud800' })).toBe('ref');
    expect(unstorableTextAt({ labels: { 'x\udc00': 'v' } })).toBe('labels (a key)');
    expect(unstorableTextAt('\u0000')).toBe('(the value)');
  });
});
