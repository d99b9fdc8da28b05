import type { DatabaseHandle } from '../../platform/database/database.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import { bandOf, DORA_2023_BANDS, type Band, type DoraBands } from './dora-bands.js';
import {
  allowLargeSorts,
  deploymentStats,
  leadTimeStats,
  scopeExists,
  windowCalendar,
  type DeploymentStats,
  type DoraScope,
  type LeadTimeStats,
} from './dora.repository.js';

export const DAY_MS = 86_400_000;
/** The longest window asked for: two years. */
export const MAX_WINDOW_MS = 730 * DAY_MS;

export interface DoraQuery extends DoraScope {
  /** Length of the window, ending at `until`. */
  windowMs: number;
  /** End of the window (exclusive); default now. */
  until?: Date | undefined;
}

export interface DoraWeek {
  /** Monday of the ISO week, UTC (YYYY-MM-DD). */
  week: string;
  deployments: number;
  leadTimeCommits: number;
  leadTimeMedianSeconds: number | null;
  finishedDeployments: number;
  failedDeployments: number;
  changeFailureRate: number | null;
  recoveryMedianSeconds: number | null;
}

export interface DoraReport {
  scope: { service: string | null; team: string | null };
  window: { start: Date; end: Date; days: number; weeks: number };
  bandsSource: string;
  deploymentFrequency: {
    deployments: number;
    perDay: number;
    daysWithDeployment: number;
    daysShare: number;
    weeksWithDeployment: number;
    weeksShare: number;
    band: Band | null;
  };
  leadTime: { commits: number; medianSeconds: number | null; p90Seconds: number | null; band: Band | null };
  changeFailureRate: { deployments: number; failed: number; rate: number | null; band: Band | null };
  recoveryTime: {
    failed: number;
    recovered: number;
    unrecovered: number;
    medianSeconds: number | null;
    band: Band | null;
  };
  weekly: DoraWeek[];
}

const EMPTY_DEPLOYMENTS: Omit<DeploymentStats, 'week'> = {
  successes: 0,
  deployments: 0,
  failures: 0,
  daysWithSuccess: 0,
  weeksWithSuccess: 0,
  recoveryMedianSeconds: null,
  unrecovered: 0,
};
const EMPTY_LEAD: Omit<LeadTimeStats, 'week'> = { commits: 0, medianSeconds: null, p90Seconds: null };

/** The four DORA metrics of a scope over a window, with their bands and a weekly series. */
export class DoraService {
  constructor(private readonly database: DatabaseHandle) {}

  async metrics(query: DoraQuery, bands: DoraBands = DORA_2023_BANDS): Promise<DoraReport> {
    if (query.service !== undefined && query.team !== undefined) {
      throw new ValidationError('give a service or a team, not both');
    }
    if (!(query.windowMs >= DAY_MS && query.windowMs <= MAX_WINDOW_MS)) {
      throw new ValidationError('the window must be between 1d and 730d');
    }
    const { db } = this.database;
    const end = query.until ?? new Date();
    const window = { start: new Date(end.getTime() - query.windowMs), end };
    const scope: DoraScope = { service: query.service, team: query.team };
    const [exists, calendar, deployments, leadTimes] = await Promise.all([
      scopeExists(db, scope),
      windowCalendar(db, window),
      db.transaction(async (tx) => {
        await allowLargeSorts(tx);
        return deploymentStats(tx, scope, window);
      }),
      leadTimeStats(db, scope, window),
    ]);
    if (!exists) {
      throw new NotFoundError(
        query.service !== undefined
          ? `service "${query.service}" is not declared; see gantry status`
          : `no service belongs to team "${query.team}"`,
      );
    }
    const total = { ...EMPTY_DEPLOYMENTS, ...deployments.find((row) => row.week === null) };
    const lead = { ...EMPTY_LEAD, ...leadTimes.find((row) => row.week === null) };
    const byWeek = new Map(deployments.filter((row) => row.week !== null).map((row) => [row.week, row]));
    const leadByWeek = new Map(leadTimes.filter((row) => row.week !== null).map((row) => [row.week, row]));
    const perDay = total.successes / (query.windowMs / DAY_MS);
    const rate = total.deployments === 0 ? null : total.failures / total.deployments;
    return {
      scope: { service: query.service ?? null, team: query.team ?? null },
      window: { ...window, days: calendar.days, weeks: calendar.weeks.length },
      bandsSource: bands.source,
      deploymentFrequency: {
        deployments: total.successes,
        perDay,
        daysWithDeployment: total.daysWithSuccess,
        daysShare: calendar.days === 0 ? 0 : total.daysWithSuccess / calendar.days,
        weeksWithDeployment: total.weeksWithSuccess,
        weeksShare: calendar.weeks.length === 0 ? 0 : total.weeksWithSuccess / calendar.weeks.length,
        band: bandOf(bands, 'deploymentFrequency', perDay),
      },
      leadTime: {
        commits: lead.commits,
        medianSeconds: lead.medianSeconds,
        p90Seconds: lead.p90Seconds,
        band: bandOf(bands, 'leadTime', lead.medianSeconds),
      },
      changeFailureRate: {
        deployments: total.deployments,
        failed: total.failures,
        rate,
        band: bandOf(bands, 'changeFailureRate', rate),
      },
      recoveryTime: {
        failed: total.failures,
        recovered: total.failures - total.unrecovered,
        unrecovered: total.unrecovered,
        medianSeconds: total.recoveryMedianSeconds,
        band: bandOf(bands, 'recoveryTime', total.recoveryMedianSeconds),
      },
      weekly: calendar.weeks.map((week) => {
        const row = { ...EMPTY_DEPLOYMENTS, ...byWeek.get(week) };
        const weekLead = { ...EMPTY_LEAD, ...leadByWeek.get(week) };
        return {
          week,
          deployments: row.successes,
          leadTimeCommits: weekLead.commits,
          leadTimeMedianSeconds: weekLead.medianSeconds,
          finishedDeployments: row.deployments,
          failedDeployments: row.failures,
          changeFailureRate: row.deployments === 0 ? null : row.failures / row.deployments,
          recoveryMedianSeconds: row.recoveryMedianSeconds,
        };
      }),
    };
  }
}
