/** No streamed event announces dead letters: the page checks this often. */
export const POLL_MS = 10_000;
