import { describe, expect, it } from 'vitest';
import { repositoryIdentity, sameRepository } from './repository-identity.js';

describe('repositoryIdentity', () => {
  it.each([
    ['https://github.com/Acme/Checkout.git', 'github.com/acme/checkout'],
    ['https://github.com/acme/checkout', 'github.com/acme/checkout'],
    ['https://github.com/acme/checkout/', 'github.com/acme/checkout'],
    ['git@github.com:acme/checkout.git', 'github.com/acme/checkout'],
    ['ssh://git@github.com/acme/checkout.git', 'github.com/acme/checkout'],
    ['ssh://git@gitlab.example.com:2222/group/sub/app.git', 'gitlab.example.com/group/sub/app'],
    ['http://gitlab.example.com/Group/App', 'gitlab.example.com/group/app'],
    ['/srv/git/Checkout.git', '/srv/git/Checkout'],
    ['file:///srv/git/checkout/', '/srv/git/checkout'],
  ])('%s is %s', (text, identity) => {
    expect(repositoryIdentity(text)).toBe(identity);
  });

  it.each(['', '   ', 'acme/checkout', 'https://', 'not a url'])('%j names no repository', (text) => {
    expect(repositoryIdentity(text)).toBeUndefined();
  });

  it('compares the forms GitHub and gantry.yaml use', () => {
    expect(sameRepository('https://github.com/acme/checkout', 'git@github.com:Acme/checkout.git')).toBe(true);
    expect(sameRepository('https://github.com/acme/checkout', 'https://github.com/acme/cart')).toBe(false);
    expect(sameRepository('acme/checkout', 'acme/checkout')).toBe(false);
  });
});
