import { describe, expect, it } from 'vitest';
import { commitTouchesService } from './commit-scope.js';

describe('commitTouchesService', () => {
  it('takes every commit for a service of the whole repository', () => {
    expect(commitTouchesService(['docs/readme.md'], [])).toBe(true);
  });

  it('takes a commit that changed a path under the service globs', () => {
    expect(commitTouchesService(['services/checkout/src/cart.ts'], ['services/checkout/**'])).toBe(true);
    expect(
      commitTouchesService(['README.md', 'libs/money/index.ts'], ['services/checkout/**', 'libs/money/**']),
    ).toBe(true);
  });

  it('leaves out a commit that changed only other paths', () => {
    expect(commitTouchesService(['services/search/src/index.ts'], ['services/checkout/**'])).toBe(false);
    expect(commitTouchesService(['services/checkout-v2/a.ts'], ['services/checkout/**'])).toBe(false);
  });

  it('matches dot files under the globs', () => {
    expect(commitTouchesService(['services/checkout/.env.example'], ['services/checkout/**'])).toBe(true);
  });

  it('counts a commit whose paths are unknown for every service', () => {
    expect(commitTouchesService([], ['services/checkout/**'])).toBe(true);
  });
});
