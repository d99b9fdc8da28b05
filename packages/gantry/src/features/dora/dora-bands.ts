import { z } from 'zod';
import { parseDuration } from '../../shared/duration.js';

// DORA performance bands: which of elite, high, medium and low a figure falls
// in. The default thresholds are the software delivery performance clusters
// of DORA's 2023 Accelerate State of DevOps report (Google Cloud / DORA,
// October 2023), read as thresholds:
//
//   cluster  deployment frequency                 lead time for changes          change failure rate  failed deployment recovery time
//   elite    on demand (multiple deploys per day)  less than one day              5%                   less than one hour
//   high     between once per day and once a week between one day and one week   10%                  less than one day
//   medium   between once a week and once a month between one week and one month 15%                  between one day and one week
//   low      between once a week and once a month between one week and one month 64%                  between one month and six months
//
// The report gives clusters, not boundaries (and its low cluster shares the
// medium cluster's throughput ranges), so Gantry takes each cluster's better
// end as the bar to reach: a figure is in the best band whose bar it meets,
// and low otherwise. Deployment frequency is an average per day (elite:
// at least one a day; high: at least one a week; medium: at least one in 30
// days); the others must be at most the bar. GANTRY_DORA_BANDS overrides
// any of the bars (parseBandsOverride()).

export const BANDS = ['elite', 'high', 'medium'] as const;
export type Band = (typeof BANDS)[number] | 'low';

/** Bars of one metric: what a figure must reach for elite, high and medium. */
export interface BandBars {
  elite: number;
  high: number;
  medium: number;
}

export interface DoraBands {
  /** Where the bars come from, shown with the figures. */
  source: string;
  /** Successful production deployments per day, at least. */
  deploymentFrequency: BandBars;
  /** Median lead time for changes in seconds, at most. */
  leadTime: BandBars;
  /** Change failure rate (0–1), at most. */
  changeFailureRate: BandBars;
  /** Median failed-deployment recovery time in seconds, at most. */
  recoveryTime: BandBars;
}

const HOUR = 3_600;
const DAY = 86_400;

export const DORA_2023_BANDS: DoraBands = {
  source: "DORA's 2023 Accelerate State of DevOps report (software delivery performance clusters)",
  deploymentFrequency: { elite: 1, high: 1 / 7, medium: 1 / 30 },
  leadTime: { elite: DAY, high: 7 * DAY, medium: 30 * DAY },
  changeFailureRate: { elite: 0.05, high: 0.1, medium: 0.15 },
  recoveryTime: { elite: HOUR, high: DAY, medium: 7 * DAY },
};

export type DoraMetricName = Exclude<keyof DoraBands, 'source'>;

/** Higher is better only for deployment frequency. */
const HIGHER_IS_BETTER: Record<DoraMetricName, boolean> = {
  deploymentFrequency: true,
  leadTime: false,
  changeFailureRate: false,
  recoveryTime: false,
};

/** The band of a figure; null when there is no figure (nothing to measure in the window). */
export function bandOf(bands: DoraBands, metric: DoraMetricName, value: number | null): Band | null {
  if (value === null || Number.isNaN(value)) return null;
  const bars = bands[metric];
  const meets = (bar: number) => (HIGHER_IS_BETTER[metric] ? value >= bar : value <= bar);
  for (const band of BANDS) if (meets(bars[band])) return band;
  return 'low';
}

// ---- the override (GANTRY_DORA_BANDS) -------------------------------------

const seconds = z.union([z.number().min(0), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  try {
    return parseDuration(value) / 1_000;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `"${value}" ${(error as Error).message}` });
    return z.NEVER;
  }
});

function bars<T extends z.ZodType<number, unknown>>(value: T) {
  return z.strictObject({ elite: value.optional(), high: value.optional(), medium: value.optional() });
}

const overrideSchema = z.strictObject({
  source: z.string().min(1).optional(),
  deploymentFrequency: bars(z.number().positive()).optional(),
  leadTime: bars(seconds).optional(),
  changeFailureRate: bars(z.number().min(0).max(1)).optional(),
  recoveryTime: bars(seconds).optional(),
});

/**
 * The default bands with an override applied: JSON naming any bars to
 * change, e.g. `{"leadTime": {"elite": "2d"}, "changeFailureRate": {"high": 0.12}}`.
 * Times are durations ("1h", "7d") or seconds; deployment frequency is per
 * day; change failure rate a fraction. Throws an Error whose message says
 * what is wrong (the bars of a metric must keep elite ≥ high ≥ medium in
 * quality).
 */
export function parseBandsOverride(json: string, base: DoraBands = DORA_2023_BANDS): DoraBands {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`is not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = overrideSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new Error(`${where}${issue.message}`);
  }
  const override = parsed.data;
  const merged: DoraBands = {
    source: override.source ?? `${base.source}, with bars overridden by GANTRY_DORA_BANDS`,
    deploymentFrequency: { ...base.deploymentFrequency, ...defined(override.deploymentFrequency) },
    leadTime: { ...base.leadTime, ...defined(override.leadTime) },
    changeFailureRate: { ...base.changeFailureRate, ...defined(override.changeFailureRate) },
    recoveryTime: { ...base.recoveryTime, ...defined(override.recoveryTime) },
  };
  for (const metric of Object.keys(HIGHER_IS_BETTER) as DoraMetricName[]) {
    const { elite, high, medium } = merged[metric];
    const ordered = HIGHER_IS_BETTER[metric]
      ? elite >= high && high >= medium
      : elite <= high && high <= medium;
    if (!ordered) {
      const relation = HIGHER_IS_BETTER[metric] ? '≥' : '≤';
      throw new Error(
        `${metric}: the bars must keep elite ${relation} high ${relation} medium, but they are elite ${elite}, high ${high}, medium ${medium}`,
      );
    }
  }
  return merged;
}

function defined(bars: Partial<Record<keyof BandBars, number | undefined>> | undefined): Partial<BandBars> {
  const out: Partial<BandBars> = {};
  for (const [key, value] of Object.entries(bars ?? {})) {
    if (value !== undefined) out[key as keyof BandBars] = value;
  }
  return out;
}
