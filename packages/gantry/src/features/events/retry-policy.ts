// Delay before the next attempt of a failed handler: exponential backoff with
// full jitter (a uniformly random delay up to the exponential bound), so that
// many events failing together do not retry together.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay after failed attempt number `attempt` (1-based). */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exponential = policy.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  const bound = Math.min(policy.maxDelayMs, exponential);
  // Never zero: a retry that fires at once would spin on a persistent failure.
  return Math.max(Math.min(policy.baseDelayMs, bound) / 2, Math.round(random() * bound));
}

export function shouldDeadLetter(policy: RetryPolicy, attempt: number): boolean {
  return attempt >= policy.maxAttempts;
}
