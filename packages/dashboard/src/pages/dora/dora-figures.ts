import type { Dora } from '../../api/types';
import { durationScale, toSeconds, type ChartData, type ValueKind } from '../../components/charts/chart-data';
import type { Tone } from '../../components/phase';

// The DORA report in words, links and chart series: how often, how fast,
// how often it fails and how fast it recovers, with the records behind each.

export type Band = Dora['deploymentFrequency']['band'];
export type DoraWeek = Dora['weekly'][number];

/** The filters of the page, as in its URL and in GET /api/v1/dora. */
export interface DoraFilters {
  service?: string;
  team?: string;
  window: string;
  until?: string;
}

export const WINDOWS = ['7d', '30d', '90d', '365d'] as const;
export const DEFAULT_WINDOW = '30d';

/** The filters a URL query names. Gantry takes a service or a team, not both: the service wins. */
export function filtersFrom(search: URLSearchParams): DoraFilters {
  const service = search.get('service') || undefined;
  const team = service ? undefined : search.get('team') || undefined;
  const until = search.get('until') || undefined;
  return {
    ...(service ? { service } : {}),
    ...(team ? { team } : {}),
    window: search.get('window') || DEFAULT_WINDOW,
    ...(until ? { until } : {}),
  };
}

export function plural(count: number, word: string, words = `${word}s`): string {
  return `${count} ${count === 1 ? word : words}`;
}

const BANDS: Record<NonNullable<Band>, { tone: Tone; glyph: string }> = {
  elite: { tone: 'ok', glyph: '★' },
  high: { tone: 'active', glyph: '▲' },
  medium: { tone: 'waiting', glyph: '■' },
  low: { tone: 'bad', glyph: '▼' },
};

/** A band as a badge: its tone, a glyph, and its word; no band is "not enough data". */
export function bandLook(band: Band): { tone: Tone; glyph: string; words: string } {
  if (band === null) return { tone: 'neutral', glyph: '–', words: 'not enough data' };
  return { ...BANDS[band], words: band };
}

/** Deployments per day as people say it: "2.3 a day", "3 a week", "1.5 a month", "none". */
export function frequencyWords(perDay: number): string {
  const round = (value: number) => String(Number(value.toFixed(1)));
  if (perDay <= 0) return 'none';
  if (perDay >= 1) return `${round(perDay)} a day`;
  if (perDay * 7 >= 1) return `${round(perDay * 7)} a week`;
  return `${round(perDay * 30)} a month`;
}

/** A share as a percentage: 0.083 → "8.3 %". */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))} %`;
}

/** The pages that list the records behind the figures, for the report's scope and window. */
export function recordLinks(report: Pick<Dora, 'scope' | 'window'>): {
  deployments: string;
  failedDeployments: string;
  incidents: string;
} {
  const { scope, window } = report;
  const promotions = new URLSearchParams({ deployment: 'true' });
  if (scope.service) promotions.set('service', scope.service);
  if (scope.team) promotions.set('team', scope.team);
  promotions.set('finishedSince', window.start);
  promotions.set('finishedUntil', window.end);
  const failed = new URLSearchParams(promotions);
  failed.set('phase', 'Failed,RolledBack,Aborted');
  const incidents = new URLSearchParams();
  if (scope.service) incidents.set('service', scope.service);
  incidents.set('openedSince', window.start);
  incidents.set('openedUntil', window.end);
  return {
    deployments: `/promotions?${promotions.toString()}`,
    failedDeployments: `/promotions?${failed.toString()}`,
    incidents: `/incidents?${incidents.toString()}`,
  };
}

export interface WeeklyChart {
  key: 'deployments' | 'leadTime' | 'changeFailureRate' | 'recoveryTime';
  title: string;
  value: ValueKind;
  data: ChartData;
}

/** One chart per metric from the weekly series; durations in the unit that reads best. */
export function weeklyCharts(weeks: readonly DoraWeek[]): WeeklyChart[] {
  const x = weeks.map((week) => toSeconds(`${week.week}T00:00:00Z`));
  const line = (label: string, colour: 'chart-1' | 'chart-2', values: (number | null)[]): ChartData => ({
    x,
    series: [{ label, colour, style: 'line', values }],
    xTicks: 'data',
  });
  const lead = durationScale(weeks.map((week) => week.leadTimeMedianSeconds));
  const recovery = durationScale(weeks.map((week) => week.recoveryMedianSeconds));
  const scaled = (seconds: number | null, divisor: number) => (seconds === null ? null : seconds / divisor);
  return [
    {
      key: 'deployments',
      title: 'Deployments per week',
      value: 'count',
      data: line(
        'Deployments',
        'chart-1',
        weeks.map((week) => week.deployments),
      ),
    },
    {
      key: 'leadTime',
      title: 'Lead time for changes per week (median)',
      value: lead.kind,
      data: line(
        'Median lead time',
        'chart-2',
        weeks.map((week) => scaled(week.leadTimeMedianSeconds, lead.divisor)),
      ),
    },
    {
      key: 'changeFailureRate',
      title: 'Change failure rate per week',
      value: 'rate',
      data: line(
        'Change failure rate',
        'chart-1',
        weeks.map((week) => week.changeFailureRate),
      ),
    },
    {
      key: 'recoveryTime',
      title: 'Failed-deployment recovery time per week (median)',
      value: recovery.kind,
      data: line(
        'Median recovery time',
        'chart-2',
        weeks.map((week) => scaled(week.recoveryMedianSeconds, recovery.divisor)),
      ),
    },
  ];
}
