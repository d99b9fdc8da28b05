import { describe, expect, it } from 'vitest';
import { retryDelayMs, shouldDeadLetter } from './retry-policy.js';

const policy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe('retry policy', () => {
  it('doubles the bound per attempt and caps it', () => {
    expect(retryDelayMs(policy, 1, () => 1)).toBe(1_000);
    expect(retryDelayMs(policy, 2, () => 1)).toBe(2_000);
    expect(retryDelayMs(policy, 4, () => 1)).toBe(8_000);
    expect(retryDelayMs(policy, 20, () => 1)).toBe(60_000);
  });

  it('jitters below the bound but never retries at once', () => {
    expect(retryDelayMs(policy, 3, () => 0.25)).toBe(1_000);
    expect(retryDelayMs(policy, 6, () => 0.5)).toBe(16_000);
    expect(retryDelayMs(policy, 3, () => 0)).toBe(500);
  });

  it('gives up after the last attempt', () => {
    expect(shouldDeadLetter(policy, 4)).toBe(false);
    expect(shouldDeadLetter(policy, 5)).toBe(true);
  });
});
