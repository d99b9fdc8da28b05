import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from './did-you-mean.js';

describe('did you mean', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('gaets', 'gates')).toBe(1);
    expect(editDistance('promtion', 'promotion')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the nearest candidate when it is close', () => {
    expect(closestMatch('promtion', ['name', 'promotion', 'requires'])).toBe('promotion');
    expect(closestMatch('Europe/Madri', ['Europe/Madrid', 'Europe/Paris'])).toBe('Europe/Madrid');
    expect(closestMatch('kustomise', ['kustomize', 'helm'])).toBe('kustomize');
  });

  it('ignores case when measuring', () => {
    expect(closestMatch('Auto', ['auto', 'manual'])).toBe('auto');
    expect(closestMatch('bluegreen', ['rolling', 'blueGreen'])).toBe('blueGreen');
  });

  it('stays quiet when nothing is close', () => {
    expect(closestMatch('automatic', ['auto', 'manual'])).toBeUndefined();
    expect(closestMatch('x', ['a', 'b'])).toBeUndefined();
    expect(closestMatch('anything', [])).toBeUndefined();
  });

  it('words the hint', () => {
    expect(didYouMean('gaets', ['gates'])).toBe('; did you mean "gates"?');
    expect(didYouMean('zzz', ['gates'])).toBe('');
  });
});
