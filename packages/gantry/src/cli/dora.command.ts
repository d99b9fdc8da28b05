import { Command, InvalidArgumentError, Option } from 'commander';
import type { DoraDto } from '../features/dora/dora.dto.js';
import { parseWindow } from '../features/dora/dora.dto.js';
import { addApiOptions, type ApiOptions } from './api-options.js';
import { connect, formatTable, formatTime, write, type CliContext } from './command-support.js';
import { printJson } from './output.js';

// `gantry dora`: the four DORA metrics of the fleet, a team or a service, as
// a table for people, CSV (the weekly series) for spreadsheets and charts, or
// the API's JSON.

export const DORA_FORMATS = ['table', 'csv', 'json'] as const;
export type DoraFormat = (typeof DORA_FORMATS)[number];

/** `45m`, `5h 20m`, `3d 4h`: two units at most, rounded to the minute (seconds under a minute). */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '-';
  const negative = seconds < 0;
  let rest = Math.round(Math.abs(seconds));
  const sign = negative ? '-' : '';
  if (rest < 60) return `${sign}${rest}s`;
  rest = Math.round(rest / 60);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 1_440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 2) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return `${sign}${parts.join(' ')}`;
}

const percent = (share: number | null) => (share === null ? '-' : `${Math.round(share * 1000) / 10}%`);
const band = (value: string | null) => value ?? '-';

function scopeText(report: DoraDto): string {
  if (report.scope.service) return `service ${report.scope.service}`;
  if (report.scope.team) return `team ${report.scope.team}`;
  return 'all services';
}

/** The four metrics with their bands, then the weekly series. */
export function formatDoraTable(report: DoraDto): string[] {
  const { deploymentFrequency: df, leadTime, changeFailureRate: cfr, recoveryTime } = report;
  const perDay = Math.round(df.perDay * 100) / 100;
  const lines = [
    `DORA metrics of ${scopeText(report)}, ${formatTime(report.window.start)} to ${formatTime(report.window.end)}`,
    '',
    ...formatTable(
      [
        {
          metric: 'deployment frequency',
          value: `${perDay}/day: ${df.deployments} deployments; ${percent(df.daysShare)} of days (${df.daysWithDeployment}/${report.window.days}), ${percent(df.weeksShare)} of weeks (${df.weeksWithDeployment}/${report.window.weeks})`,
          band: band(df.band),
        },
        {
          metric: 'lead time for changes',
          value:
            leadTime.commits === 0
              ? 'no commits deployed'
              : `median ${formatSeconds(leadTime.medianSeconds)}, p90 ${formatSeconds(leadTime.p90Seconds)} over ${leadTime.commits} commits`,
          band: band(leadTime.band),
        },
        {
          metric: 'change failure rate',
          value:
            cfr.deployments === 0
              ? 'no deployments'
              : `${percent(cfr.rate)}: ${cfr.failed} of ${cfr.deployments} deployments failed`,
          band: band(cfr.band),
        },
        {
          metric: 'recovery time',
          value:
            recoveryTime.failed === 0
              ? 'no failed deployments'
              : `median ${formatSeconds(recoveryTime.medianSeconds)} over ${recoveryTime.recovered} recovered${recoveryTime.unrecovered > 0 ? `, ${recoveryTime.unrecovered} not recovered yet` : ''}`,
          band: band(recoveryTime.band),
        },
      ],
      ['metric', 'value', 'band'],
    ),
    '',
    ...formatTable(
      report.weekly.map((week) => ({
        week: week.week,
        deployments: String(week.deployments),
        'lead time': formatSeconds(week.leadTimeMedianSeconds),
        'failure rate':
          week.changeFailureRate === null
            ? '-'
            : `${percent(week.changeFailureRate)} (${week.failedDeployments}/${week.finishedDeployments})`,
        recovery: formatSeconds(week.recoveryMedianSeconds),
      })),
      ['week', 'deployments', 'lead time', 'failure rate', 'recovery'],
    ),
    '',
    `Bands: ${report.bandsSource}. Lead time and recovery are medians; definitions in docs/dora.md.`,
  ];
  return lines;
}

const CSV_COLUMNS = [
  'week',
  'deployments',
  'lead_time_commits',
  'lead_time_median_seconds',
  'finished_deployments',
  'failed_deployments',
  'change_failure_rate',
  'recovery_median_seconds',
] as const;

/** The weekly series, one row per ISO week (Monday, UTC); empty cells where a week has no figure. */
export function formatDoraCsv(report: DoraDto): string[] {
  const cell = (value: number | string | null) => (value === null ? '' : String(value));
  return [
    CSV_COLUMNS.join(','),
    ...report.weekly.map((week) =>
      [
        week.week,
        week.deployments,
        week.leadTimeCommits,
        week.leadTimeMedianSeconds,
        week.finishedDeployments,
        week.failedDeployments,
        week.changeFailureRate,
        week.recoveryMedianSeconds,
      ]
        .map(cell)
        .join(','),
    ),
  ];
}

function windowOption(text: string): string {
  try {
    parseWindow(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return text.trim();
}

function untilOption(text: string): string {
  const at = new Date(text);
  if (Number.isNaN(at.getTime()))
    throw new InvalidArgumentError('expected an ISO 8601 time, e.g. 2026-11-30T00:00:00Z');
  return at.toISOString();
}

export function doraCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('dora')
      .description('the four DORA metrics of all services, a team or a service, with their bands')
      .option('--service <name>', 'only this service')
      .option('--team <name>', 'only the services of this team')
      .option('--window <length>', 'how far back from --until: e.g. 30d, 12w, 90d', windowOption, '30d')
      .option('--until <time>', 'end of the window (ISO 8601; default now)', untilOption)
      .addOption(
        new Option('--format <format>', 'table, csv (the weekly series) or json')
          .choices(DORA_FORMATS)
          .default('table'),
      ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry dora                                  the whole fleet, last 30 days
  $ gantry dora --team payments --window 90d
  $ gantry dora --service checkout --format csv > checkout-dora.csv

Deployment frequency counts successful production deployments; lead time runs
from each commit to its first production deployment; change failure rate is
failed production deployments over all production deployments; recovery time
runs from a failed deployment to the next healthy production state.
Definitions and bands: docs/dora.md.`,
    )
    .action(
      async (
        options: ApiOptions & {
          service?: string;
          team?: string;
          window: string;
          until?: string;
          format: DoraFormat;
        },
      ) => {
        const report = await connect(options, context).client.get<DoraDto>('api/v1/dora', {
          service: options.service,
          team: options.team,
          window: options.window,
          until: options.until,
        });
        const format = options.json ? 'json' : options.format;
        if (format === 'json') return printJson(report);
        write(format === 'csv' ? formatDoraCsv(report) : formatDoraTable(report));
      },
    );
}
