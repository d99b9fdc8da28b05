// A fixed log-scale latency histogram: 8 bins per doubling from 100 µs up to
// about 105 s, plus one bin below and one above. Bins of every second of
// traffic add up, so the quantile of any window is the quantile of the merged
// counts. Each bin spans a factor 2^(1/8); answering with its geometric middle
// is off by at most 2^(1/16) − 1 ≈ 4.4 % of the true value. Answers are also
// clamped to the smallest and largest latency seen in the window, so the
// extremes (and a window of identical latencies) come out exact.

const SMALLEST_SECONDS = 1e-4;
const BINS_PER_DOUBLING = 8;
const DOUBLINGS = 20;

/** Bin 0: below 100 µs; bins 1..160: [100 µs · 2^((i−1)/8), 100 µs · 2^(i/8)); bin 161: above. */
export const LATENCY_BINS = DOUBLINGS * BINS_PER_DOUBLING + 2;

/** Worst-case relative error of a quantile between 100 µs and 105 s. */
export const LATENCY_RELATIVE_ERROR = 2 ** (1 / (2 * BINS_PER_DOUBLING)) - 1;

export function latencyBin(seconds: number): number {
  if (!(seconds >= SMALLEST_SECONDS)) return 0;
  const bin = Math.floor(Math.log2(seconds / SMALLEST_SECONDS) * BINS_PER_DOUBLING) + 1;
  return Math.min(bin, LATENCY_BINS - 1);
}

function binMiddle(bin: number): number {
  if (bin <= 0) return 0;
  if (bin >= LATENCY_BINS - 1) return Number.POSITIVE_INFINITY;
  return SMALLEST_SECONDS * 2 ** ((bin - 0.5) / BINS_PER_DOUBLING);
}

/**
 * The q-quantile (0..1, nearest rank) of merged bin counts, clamped to
 * [min, max]; undefined when there is no sample.
 */
export function latencyQuantile(
  counts: Uint32Array,
  total: number,
  min: number,
  max: number,
  q: number,
): number | undefined {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
    throw new RangeError(`a latency quantile is from 0 to 1 (0.99 for p99), got ${String(q)}`);
  }
  if (total <= 0) return undefined;
  if (q === 0) return min;
  if (q === 1) return max;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let bin = 0; bin < counts.length; bin++) {
    seen += counts[bin]!;
    if (seen >= rank) return Math.min(max, Math.max(min, binMiddle(bin)));
  }
  return max;
}
