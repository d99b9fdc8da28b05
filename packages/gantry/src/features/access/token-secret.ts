import { createHash, randomBytes } from 'node:crypto';

// An API token is `gty_` followed by 43 base64url characters (32 random
// bytes). Gantry stores only its SHA-256 and the first 8 characters after
// `gty_`, which people use to tell tokens apart; the secret is shown once.

export const TOKEN_PREFIX = 'gty_';

/** Matches a well-formed token, and nothing that merely starts like one. */
export const TOKEN_PATTERN = /^gty_[A-Za-z0-9_-]{43}$/;

/** Characters after `gty_` kept for display. */
export const DISPLAY_PREFIX_LENGTH = 8;

export interface NewTokenSecret {
  /** The whole token, to hand to its owner once. */
  secret: string;
  /** SHA-256 of the whole token, hex: what the database holds. */
  hash: string;
  /** The first characters after `gty_`, safe to show. */
  prefix: string;
}

export function generateTokenSecret(): NewTokenSecret {
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashToken(secret), prefix: displayPrefix(secret) };
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + DISPLAY_PREFIX_LENGTH);
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
