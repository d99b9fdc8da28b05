import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor, type Tx } from '../../platform/database/database.js';
import { doraLeadTimes } from './dora.tables.js';

// The DORA figures, aggregated in the database: only one row per week (plus
// one for the whole window) ever reaches Node. docs/dora.md defines each
// figure exactly as these queries compute it.

/** Whose figures: the whole fleet, one service, or the services of one team (services.team). */
export interface DoraScope {
  service?: string | undefined;
  team?: string | undefined;
}

/** [start, end): deployments whose time falls in it count. */
export interface DoraWindow {
  start: Date;
  end: Date;
}

/** `and <column> …` restricting a query to the scope. */
function scopeCondition(column: string, scope: DoraScope): SQL {
  const ref = sql.raw(column);
  if (scope.service !== undefined) return sql`and ${ref} = ${scope.service}`;
  if (scope.team !== undefined) {
    return sql`and ${ref} in (select s.name from services s where s.team = ${scope.team})`;
  }
  return sql``;
}

/** Seconds from a percentile, to the millisecond (percentile_cont interpolates in floating point). */
function toSeconds(value: string | number | null): number | null {
  return value === null ? null : Math.round(Number(value) * 1_000) / 1_000;
}

/** One value of a float8[] as the driver gives it: parsed (pg) or as array text (`{1.5,2}`). */
function percentileAt(
  values: (string | number | null)[] | string | null,
  index: number,
): string | number | null {
  if (values === null) return null;
  const list = typeof values === 'string' ? values.replace(/^\{|\}$/g, '').split(',') : values;
  const value = list[index];
  return value === undefined || value === 'NULL' ? null : value;
}

const ts = (date: Date) => sql`${date.toISOString()}::timestamptz`;

export interface WindowCalendar {
  /** UTC days the window touches. */
  days: number;
  /** Mondays (YYYY-MM-DD, UTC) of the weeks the window touches, oldest first. */
  weeks: string[];
}

export async function windowCalendar(executor: Executor, window: DoraWindow): Promise<WindowCalendar> {
  const last = sql`${ts(window.end)} - interval '1 microsecond'`;
  const [row] = await queryRows<{ days: string | number; weeks: string | null }>(
    executor,
    sql`
      select
        (select count(*) from generate_series(date_trunc('day', ${ts(window.start)}, 'UTC'), ${last}, interval '1 day')) as days,
        (select string_agg(to_char(w at time zone 'UTC', 'YYYY-MM-DD'), ',' order by w)
           from generate_series(date_trunc('week', ${ts(window.start)}, 'UTC'), ${last}, interval '1 week') w) as weeks`,
  );
  return { days: Number(row?.days ?? 0), weeks: row?.weeks ? row.weeks.split(',') : [] };
}

/**
 * Gives the rest of the transaction more memory for sorts: a year of a large
 * fleet's deployments (330,000 rows in bench:dora) spills its window sorts
 * to disk with PostgreSQL's default 4 MB.
 */
export async function allowLargeSorts(tx: Tx): Promise<void> {
  await tx.execute(sql`set local work_mem = '64MB'`);
}

/** Deployment figures of one week, or of the whole window (week null). */
export interface DeploymentStats {
  week: string | null;
  /** Production deployments that succeeded (deployment frequency). */
  successes: number;
  /** Production deployments that finished: the change failure rate's denominator. */
  deployments: number;
  /** Of those, the failed ones (rolled back, failed, withdrawn, followed by a rollback, or linked to an incident). */
  failures: number;
  /** Distinct UTC days and ISO weeks with at least one success. */
  daysWithSuccess: number;
  weeksWithSuccess: number;
  /** Median recovery time of the failed deployments that recovered, in seconds. */
  recoveryMedianSeconds: number | null;
  /** Failed deployments with no healthy state (or resolved incident) after them yet. */
  unrecovered: number;
}

/**
 * One pass over the scope's production deployments (production promotions
 * that reached Applying, rollbacks included so that each deployment knows
 * what came after it), then one aggregate with grouping sets: a row per week
 * and a row for the whole window.
 */
export async function deploymentStats(
  executor: Executor,
  scope: DoraScope,
  window: DoraWindow,
): Promise<DeploymentStats[]> {
  const rows = await queryRows<{
    week: string | null;
    successes: string | number;
    deployments: string | number;
    failures: string | number;
    days_with_success: string | number;
    weeks_with_success: string | number;
    recovery_median: string | number | null;
    unrecovered: string | number;
  }>(
    executor,
    sql`
      with deployments as (
        select p.id, p.service, p.stage, p.phase, p.trigger, p.applying_at, p.finished_at
        from promotions p
        where p.production and p.applying_at is not null and p.finished_at >= ${ts(window.start)}
          ${scopeCondition('p.service', scope)}
      ),
      sequenced as (
        -- Both windows walk each stage's deployments newest first, so one
        -- sort serves them: the next deployment is the previous row (lag),
        -- and the next success is a running minimum over the rows before. A
        -- frame that starts at UNBOUNDED PRECEDING is aggregated
        -- incrementally, where "1 following and unbounded following" would be
        -- recomputed for every row (quadratic: 40 s instead of 3 s over a
        -- year of a 200-service fleet in bench:dora).
        select d.*,
          lag(d.trigger) over newest_first as next_trigger,
          min(d.finished_at) filter (where d.phase = 'Succeeded') over (
            newest_first rows between unbounded preceding and 1 preceding
          ) as next_success_at
        from deployments d
        window newest_first as (partition by d.service, d.stage order by d.finished_at desc, d.id desc)
      ),
      incident_times as (
        select i.promotion_id,
          min(i.opened_at) as opened_at,
          case when bool_and(i.resolved_at is not null) then max(i.resolved_at) end as resolved_at
        from incidents i
        where i.promotion_id is not null
        group by i.promotion_id
      ),
      judged as (
        select s.phase, s.finished_at,
          to_char(date_trunc('week', s.finished_at, 'UTC') at time zone 'UTC', 'YYYY-MM-DD') as week,
          date_trunc('day', s.finished_at, 'UTC') as day,
          (s.phase in ('Failed', 'RolledBack', 'Aborted')
            or (s.phase = 'Succeeded' and s.next_trigger = 'rollback')
            or i.promotion_id is not null) as failed,
          case
            when i.promotion_id is not null then extract(epoch from i.resolved_at - i.opened_at)
            when s.phase = 'RolledBack' then extract(epoch from s.finished_at - s.applying_at)
            else extract(epoch from s.next_success_at - s.applying_at)
          end as recovery_seconds
        from sequenced s
        left join incident_times i on i.promotion_id = s.id
        where s.trigger <> 'rollback' and s.finished_at < ${ts(window.end)}
      )
      select week,
        count(*) filter (where phase = 'Succeeded') as successes,
        count(*) as deployments,
        count(*) filter (where failed) as failures,
        count(distinct day) filter (where phase = 'Succeeded') as days_with_success,
        count(distinct week) filter (where phase = 'Succeeded') as weeks_with_success,
        percentile_cont(0.5) within group (order by recovery_seconds) filter (where failed) as recovery_median,
        count(*) filter (where failed and recovery_seconds is null) as unrecovered
      from judged
      group by grouping sets ((week), ())`,
  );
  return rows.map((row) => ({
    week: row.week,
    successes: Number(row.successes),
    deployments: Number(row.deployments),
    failures: Number(row.failures),
    daysWithSuccess: Number(row.days_with_success),
    weeksWithSuccess: Number(row.weeks_with_success),
    recoveryMedianSeconds: toSeconds(row.recovery_median),
    unrecovered: Number(row.unrecovered),
  }));
}

export interface LeadTimeStats {
  week: string | null;
  commits: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** Lead time for changes over the commits deployed to production in the window, per week and in all. */
export async function leadTimeStats(
  executor: Executor,
  scope: DoraScope,
  window: DoraWindow,
): Promise<LeadTimeStats[]> {
  const rows = await queryRows<{
    week: string | null;
    commits: string | number;
    percentiles: (string | number | null)[] | string | null;
  }>(
    executor,
    sql`
      select week,
        count(*) as commits,
        -- Both percentiles from one sort of the group's lead times.
        percentile_cont(array[0.5, 0.9]) within group (order by lead_seconds) as percentiles
      from (
        select to_char(date_trunc('week', l.deployed_at, 'UTC') at time zone 'UTC', 'YYYY-MM-DD') as week,
          l.lead_seconds
        from dora_lead_times l
        where l.deployed_at >= ${ts(window.start)} and l.deployed_at < ${ts(window.end)}
          ${scopeCondition('l.service', scope)}
      ) deployed
      group by grouping sets ((week), ())`,
  );
  return rows.map((row) => ({
    week: row.week,
    commits: Number(row.commits),
    medianSeconds: toSeconds(percentileAt(row.percentiles, 0)),
    p90Seconds: toSeconds(percentileAt(row.percentiles, 1)),
  }));
}

/** Lead-time rows for the commits of one production deployment; a commit already deployed keeps its first row. */
export async function recordLeadTimes(
  executor: Executor,
  rows: (typeof doraLeadTimes.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  await executor.insert(doraLeadTimes).values(rows).onConflictDoNothing();
}

/** Whether a team or service exists, so an empty answer can be told from a typo. */
export async function scopeExists(executor: Executor, scope: DoraScope): Promise<boolean> {
  if (scope.service === undefined && scope.team === undefined) return true;
  const [row] = await queryRows<{ found: boolean }>(
    executor,
    sql`select exists (select 1 from services s where true ${scopeCondition('s.name', scope)}) as found`,
  );
  return row?.found === true;
}
