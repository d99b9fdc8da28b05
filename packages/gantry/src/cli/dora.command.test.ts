import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReleaseChangesDto } from '../features/commits/release-changes.dto.js';
import type { DoraDto } from '../features/dora/dora.dto.js';
import { runCli } from '../testing/cli-run.js';
import { deliveryCommands } from './delivery-commands.js';
import { formatDoraCsv, formatDoraTable, formatSeconds } from './dora.command.js';
import { formatChanges } from './release.command.js';

// `gantry dora` against a fake API: the query it sends and the three formats.

const REPORT: DoraDto = {
  scope: { service: null, team: 'payments' },
  window: { start: '2026-11-16T00:00:00.000Z', end: '2026-11-30T00:00:00.000Z', days: 14, weeks: 2 },
  bandsSource: "DORA's 2023 Accelerate State of DevOps report",
  deploymentFrequency: {
    deployments: 5,
    perDay: 5 / 14,
    daysWithDeployment: 5,
    daysShare: 5 / 14,
    weeksWithDeployment: 2,
    weeksShare: 1,
    band: 'high',
  },
  leadTime: { commits: 8, medianSeconds: 27_300, p90Seconds: 124_200, band: 'elite' },
  changeFailureRate: { deployments: 8, failed: 5, rate: 0.625, band: 'low' },
  recoveryTime: { failed: 5, recovered: 4, unrecovered: 1, medianSeconds: 6_600, band: 'high' },
  weekly: [
    {
      week: '2026-11-16',
      deployments: 3,
      leadTimeCommits: 6,
      leadTimeMedianSeconds: 9_000,
      finishedDeployments: 5,
      failedDeployments: 3,
      changeFailureRate: 0.6,
      recoveryMedianSeconds: 7_800,
    },
    {
      week: '2026-11-23',
      deployments: 2,
      leadTimeCommits: 2,
      leadTimeMedianSeconds: null,
      finishedDeployments: 0,
      failedDeployments: 0,
      changeFailureRate: null,
      recoveryMedianSeconds: null,
    },
  ],
};

function fakeApi(answer: { status: number; body: unknown }) {
  const requests: URL[] = [];
  const fetch: typeof globalThis.fetch = (input) => {
    requests.push(new URL(input instanceof Request ? input.url : String(input)));
    return Promise.resolve(
      new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'content-type': answer.status >= 400 ? 'application/problem+json' : 'application/json' },
      }),
    );
  };
  return { fetch, requests };
}

beforeEach(() => {
  vi.stubEnv('GANTRY_URL', 'http://gantry.test:7070');
  vi.stubEnv('GANTRY_TOKEN', 'gt_test_token');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('formatSeconds', () => {
  it('shows two units at most', () => {
    expect(formatSeconds(null)).toBe('-');
    expect(formatSeconds(42)).toBe('42s');
    expect(formatSeconds(6_600)).toBe('1h 50m');
    expect(formatSeconds(124_200)).toBe('1d 10h');
    expect(formatSeconds(-120)).toBe('-2m');
  });
});

describe('formatDoraTable', () => {
  it('prints the four metrics with their bands, then the weekly series', () => {
    expect(formatDoraTable(REPORT)).toEqual([
      'DORA metrics of team payments, 2026-11-16T00:00:00Z to 2026-11-30T00:00:00Z',
      '',
      'METRIC                 VALUE                                                               BAND',
      'deployment frequency   0.36/day: 5 deployments; 35.7% of days (5/14), 100% of weeks (2/2)  high',
      'lead time for changes  median 7h 35m, p90 1d 10h over 8 commits                            elite',
      'change failure rate    62.5%: 5 of 8 deployments failed                                    low',
      'recovery time          median 1h 50m over 4 recovered, 1 not recovered yet                 high',
      '',
      'WEEK        DEPLOYMENTS  LEAD TIME  FAILURE RATE  RECOVERY',
      '2026-11-16  3            2h 30m     60% (3/5)     2h 10m',
      '2026-11-23  2            -          -             -',
      '',
      "Bands: DORA's 2023 Accelerate State of DevOps report. Lead time and recovery are medians; definitions in docs/dora.md.",
    ]);
  });
});

describe('formatDoraCsv', () => {
  it('is the weekly series with empty cells for missing figures', () => {
    expect(formatDoraCsv(REPORT)).toEqual([
      'week,deployments,lead_time_commits,lead_time_median_seconds,finished_deployments,failed_deployments,change_failure_rate,recovery_median_seconds',
      '2026-11-16,3,6,9000,5,3,0.6,7800',
      '2026-11-23,2,2,,0,0,,',
    ]);
  });
});

describe('formatChanges', () => {
  const changes: ReleaseChangesDto = {
    service: 'checkout',
    version: '2026.11.4',
    commit: 'c'.repeat(40),
    historyKnown: true,
    reason: '3 commit(s) since 2026.11.2, 2 of them in the service paths',
    previous: { version: '2026.11.2', commit: 'b'.repeat(40) },
    commits: [
      {
        sha: 'c'.repeat(40),
        committedAt: '2026-11-18T11:00:00.000Z',
        authorName: 'Ada',
        authorEmail: 'ada@acme.test',
        title: 'Pay with vouchers',
      },
      { sha: 'd'.repeat(40), committedAt: null, authorName: null, authorEmail: null, title: null },
    ],
  };

  it('lists the commits since the previous production release', () => {
    expect(formatChanges(changes)).toEqual([
      'Changes since 2026.11.2: 2 commit(s) (history known: 3 commit(s) since 2026.11.2, 2 of them in the service paths)',
      'COMMIT        COMMITTED             AUTHOR  TITLE',
      'cccccccccccc  2026-11-18T11:00:00Z  Ada     Pay with vouchers',
      'dddddddddddd  -                     -       -',
    ]);
  });

  it('says when the history is unknown', () => {
    expect(
      formatChanges({
        ...changes,
        historyKnown: false,
        reason: 'no recorded push contains it',
        commits: [],
      })[0],
    ).toBe("Changes: history unknown (no recorded push contains it); counting the release's own commit only");
  });
});

describe('gantry dora', () => {
  it('sends the filters and prints a table', async () => {
    const api = fakeApi({ status: 200, body: REPORT });
    const run = await runCli(deliveryCommands({ fetch: api.fetch }), [
      'dora',
      '--team',
      'payments',
      '--window',
      '2w',
      '--until',
      '2026-11-30T00:00:00Z',
    ]);
    expect(run.code).toBe(0);
    expect(api.requests[0]!.pathname).toBe('/api/v1/dora');
    expect(Object.fromEntries(api.requests[0]!.searchParams)).toEqual({
      team: 'payments',
      window: '2w',
      until: '2026-11-30T00:00:00.000Z',
    });
    expect(run.stdout).toContain('change failure rate    62.5%: 5 of 8 deployments failed');
  });

  it('prints CSV and JSON', async () => {
    const api = fakeApi({ status: 200, body: REPORT });
    const csv = await runCli(deliveryCommands({ fetch: api.fetch }), ['dora', '--format', 'csv']);
    expect(csv.stdout).toBe(`${formatDoraCsv(REPORT).join('\n')}\n`);
    const json = await runCli(deliveryCommands({ fetch: api.fetch }), ['dora', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(REPORT);
    expect(Object.fromEntries(api.requests[0]!.searchParams)).toEqual({ window: '30d' });
  });

  it('refuses a bad window or format before asking the API (exit 2)', async () => {
    const api = fakeApi({ status: 200, body: REPORT });
    const window = await runCli(deliveryCommands({ fetch: api.fetch }), ['dora', '--window', 'soon']);
    expect(window.code).toBe(2);
    expect(window.stderr).toContain('--window');
    const format = await runCli(deliveryCommands({ fetch: api.fetch }), ['dora', '--format', 'xml']);
    expect(format.code).toBe(2);
    expect(api.requests).toHaveLength(0);
  });

  it('reports the API refusal (exit 1)', async () => {
    const api = fakeApi({
      status: 404,
      body: {
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'no service belongs to team "x"',
      },
    });
    const run = await runCli(deliveryCommands({ fetch: api.fetch }), ['dora', '--team', 'x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no service belongs to team "x"');
  });
});
