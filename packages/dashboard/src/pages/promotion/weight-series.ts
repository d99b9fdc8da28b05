import type { Rollout } from '../../api/types';
import { toSeconds, type ChartData } from '../../components/charts/chart-data';

// The traffic weight of a rollout over time, from its history: a step line
// that holds each weight until the next change, carried on to `until` (now
// while the rollout runs, the promotion's end once it finished).

export type WeightChange = Rollout['history'][number];

/** The history oldest first. */
export function weightChanges(history: readonly WeightChange[]): WeightChange[] {
  return [...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function weightChart(history: readonly WeightChange[], until: string | undefined): ChartData {
  const changes = weightChanges(history);
  const x = changes.map((change) => toSeconds(change.at));
  const weights: (number | null)[] = changes.map((change) => change.weight);
  const last = changes.at(-1);
  const end = until === undefined ? undefined : toSeconds(until);
  if (last && end !== undefined && end > (x.at(-1) ?? end)) {
    x.push(end);
    weights.push(last.weight);
  }
  return {
    x,
    series: [{ label: 'Requests to the new version', colour: 'chart-1', style: 'step', values: weights }],
  };
}
