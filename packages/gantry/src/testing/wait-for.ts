/**
 * Polls until `condition` returns a truthy value and returns it. The timeout
 * is a safety net against a hung test, never an assertion about speed.
 */
export async function waitFor<T>(
  condition: () => Promise<T> | T,
  { timeoutMs = 60_000, intervalMs = 25, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
