import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../shared/errors.js';
import {
  assertRole,
  assertStageAllowed,
  describeActor,
  ROLES,
  roleAtLeast,
  stageAllowed,
  systemActor,
  type Actor,
} from './actor.js';
import {
  displayPrefix,
  generateTokenSecret,
  hashToken,
  looksLikeToken,
  TOKEN_PATTERN,
} from './token-secret.js';

const ci: Actor = { name: 'ci', role: 'deployer', stages: ['develop', 'staging'], tokenId: 't1' };

function refusal(action: () => void): ForbiddenError {
  try {
    action();
  } catch (error) {
    if (error instanceof ForbiddenError) return error;
    throw error;
  }
  throw new Error('expected a ForbiddenError');
}

describe('roles', () => {
  it('are ordered viewer < deployer < approver < admin', () => {
    expect(ROLES).toEqual(['viewer', 'deployer', 'approver', 'admin']);
    for (const [index, role] of ROLES.entries()) {
      for (const [other, min] of ROLES.entries()) expect(roleAtLeast(role, min)).toBe(index >= other);
    }
  });

  it('lets a strong enough actor through', () => {
    expect(() => assertRole(ci, 'viewer', 'list releases')).not.toThrow();
    expect(() => assertRole(ci, 'deployer', 'promote')).not.toThrow();
    expect(() => assertRole(systemActor('scheduler'), 'admin', 'prune')).not.toThrow();
  });

  it('refuses a weaker actor with a 403 that names what is needed', () => {
    const error = refusal(() => assertRole(ci, 'approver', 'approve promotions'));
    expect(error.status).toBe(403);
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe(
      'token "ci" (deployer, stages develop,staging) may not approve promotions; it needs a token with role approver or admin',
    );
    const viewer: Actor = { name: 'dash', role: 'viewer', stages: null };
    expect(refusal(() => assertRole(viewer, 'deployer', 'create releases')).message).toBe(
      'token "dash" (viewer) may not create releases; it needs a token with role deployer, approver or admin',
    );
    expect(refusal(() => assertRole(viewer, 'admin', 'create API tokens')).message).toBe(
      'token "dash" (viewer) may not create API tokens; it needs a token with role admin',
    );
  });
});

describe('stages', () => {
  it('allows every stage when the actor is not limited', () => {
    const admin: Actor = { name: 'admin', role: 'admin', stages: null };
    expect(stageAllowed(admin, 'prod')).toBe(true);
    expect(() => assertStageAllowed(admin, 'prod', 'promote')).not.toThrow();
  });

  it('allows only the listed stages otherwise, and says which stage the token would need', () => {
    expect(() => assertStageAllowed(ci, 'staging', 'promote')).not.toThrow();
    const error = refusal(() => assertStageAllowed(ci, 'prod', 'promote'));
    expect(error.message).toBe(
      'token "ci" (deployer, stages develop,staging) may not promote into prod; it needs a token allowed on stage prod',
    );
    expect(error.details).toEqual({ stage: 'prod', allowedStages: ['develop', 'staging'] });
  });
});

describe('actors', () => {
  it('describes tokens and Gantry itself', () => {
    expect(describeActor(ci)).toBe('token "ci" (deployer, stages develop,staging)');
    expect(describeActor(systemActor('scheduler'))).toBe('system:scheduler (admin)');
    expect(systemActor('system:bootstrap', 'req-1')).toEqual({
      name: 'system:bootstrap',
      role: 'admin',
      stages: null,
      requestId: 'req-1',
    });
  });
});

describe('token secrets', () => {
  it('are gty_ and 43 base64url characters, stored as a SHA-256 with an 8-character display prefix', () => {
    const generated = generateTokenSecret();
    expect(generated.secret).toMatch(TOKEN_PATTERN);
    expect(generated.secret).toHaveLength(47);
    expect(generated.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(generated.hash).toBe(hashToken(generated.secret));
    expect(generated.prefix).toBe(generated.secret.slice(4, 12));
    expect(displayPrefix(generated.secret)).toBe(generated.prefix);
    expect(generateTokenSecret().secret).not.toBe(generated.secret);
  });

  it('are recognised only when well-formed', () => {
    expect(looksLikeToken(generateTokenSecret().secret)).toBe(true);
    expect(looksLikeToken('gty_short')).toBe(false);
    expect(looksLikeToken(`xyz_${'a'.repeat(43)}`)).toBe(false);
    expect(looksLikeToken(`gty_${'a'.repeat(42)}!`)).toBe(false);
  });
});
