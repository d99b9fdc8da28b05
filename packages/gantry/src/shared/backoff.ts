/**
 * Delay before reconnect attempt `attempt` (0-based): exponential up to
 * `maxMs`, half fixed and half random, so that replicas that lost a broker or
 * database together do not all come back in the same millisecond.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return base / 2 + Math.random() * (base / 2);
}
