/**
 * Upkeep that traffic triggers (pruning old rows): the returned function
 * starts `task` in the background when at least `intervalMs` passed since it
 * last did, and returns at once, so it never holds up the request that
 * called it. A failure goes to `onError`; the next call after the interval
 * tries again.
 */
export function nowAndThen(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): () => void {
  let lastStartedAt = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - lastStartedAt < intervalMs) return;
    lastStartedAt = now;
    void task().catch(onError);
  };
}
