import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/database/database.js';
import { serviceCommits, sourceCommits } from './commits.tables.js';

export type SourceCommitRow = typeof sourceCommits.$inferSelect;
export type ServiceCommitRow = typeof serviceCommits.$inferSelect;

/** How far back a walk follows parent links before it gives up and calls the history unknown. */
export const MAX_WALK_DEPTH = 5_000;

/**
 * Records commits; one already recorded stays as it was, except that a
 * parent link it lacked is filled in when a later push knows it.
 */
export async function recordSourceCommits(
  executor: Executor,
  rows: (typeof sourceCommits.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  await executor
    .insert(sourceCommits)
    .values(rows)
    .onConflictDoUpdate({
      target: [sourceCommits.repository, sourceCommits.sha],
      set: { parentSha: sql`coalesce(${sourceCommits.parentSha}, excluded.parent_sha)` },
    });
}

export async function recordServiceCommits(
  executor: Executor,
  rows: (typeof serviceCommits.$inferInsert)[],
): Promise<void> {
  if (rows.length === 0) return;
  await executor.insert(serviceCommits).values(rows).onConflictDoNothing();
}

export interface WalkedCommit {
  sha: string;
  parentSha: string | null;
  depth: number;
}

/**
 * The commits from `head` back along parent links, newest first, stopping
 * before `stop` (the previous production release's commit), at a commit
 * whose parent is not recorded, or after MAX_WALK_DEPTH steps. UNION (not
 * UNION ALL) ends a walk that would go round a cycle of bad data.
 */
export async function walkCommits(
  executor: Executor,
  repository: string,
  head: string,
  stop: string | null,
): Promise<WalkedCommit[]> {
  const rows = await queryRows<{ sha: string; parent_sha: string | null; depth: number }>(
    executor,
    sql`
      with recursive walk(sha, parent_sha, depth) as (
        select c.sha, c.parent_sha, 0
        from source_commits c
        where c.repository = ${repository} and c.sha = ${head} and c.sha is distinct from ${stop}
        union
        select c.sha, c.parent_sha, w.depth + 1
        from walk w
        join source_commits c on c.repository = ${repository} and c.sha = w.parent_sha
        where w.parent_sha is distinct from ${stop} and w.depth < ${MAX_WALK_DEPTH}
      )
      select sha, parent_sha, depth from walk order by depth`,
  );
  return rows.map((row) => ({ sha: row.sha, parentSha: row.parent_sha, depth: Number(row.depth) }));
}

export async function serviceCommitsOf(
  executor: Executor,
  service: string,
  shas: readonly string[],
): Promise<ServiceCommitRow[]> {
  if (shas.length === 0) return [];
  return executor
    .select()
    .from(serviceCommits)
    .where(and(eq(serviceCommits.service, service), inArray(serviceCommits.sha, [...shas])));
}

export async function findSourceCommit(
  executor: Executor,
  repository: string,
  sha: string,
): Promise<SourceCommitRow | undefined> {
  const [row] = await executor
    .select()
    .from(sourceCommits)
    .where(and(eq(sourceCommits.repository, repository), eq(sourceCommits.sha, sha)))
    .limit(1);
  return row;
}

export async function sourceCommitsOf(
  executor: Executor,
  repository: string,
  shas: readonly string[],
): Promise<Map<string, SourceCommitRow>> {
  if (shas.length === 0) return new Map();
  const rows = await executor
    .select()
    .from(sourceCommits)
    .where(and(eq(sourceCommits.repository, repository), inArray(sourceCommits.sha, [...shas])));
  return new Map(rows.map((row) => [row.sha, row]));
}

/**
 * The release that last succeeded in a production stage of the service
 * before `before`, other than `releaseId`. Rollback promotions do not count:
 * they bring an old release back, they do not deliver changes.
 */
export async function previousProductionRelease(
  executor: Executor,
  service: string,
  releaseId: string,
  before: Date,
): Promise<{ version: string; commitSha: string } | undefined> {
  const [row] = await queryRows<{ version: string; commit_sha: string }>(
    executor,
    sql`
      select r.version, r.commit_sha
      from promotions p
      join releases r on r.id = p.release_id
      where p.service = ${service} and p.production and p.phase = 'Succeeded'
        and p.trigger <> 'rollback' and p.release_id <> ${releaseId}
        and p.finished_at < ${before}
      order by p.finished_at desc
      limit 1`,
  );
  return row ? { version: row.version, commitSha: row.commit_sha } : undefined;
}

/** When the release first succeeded in a production stage (not counting rollbacks to it), if it has. */
export async function firstProductionSuccess(
  executor: Executor,
  releaseId: string,
): Promise<Date | undefined> {
  const [row] = await queryRows<{ finished_at: Date | string | null }>(
    executor,
    sql`
      select min(p.finished_at) as finished_at
      from promotions p
      where p.release_id = ${releaseId} and p.production and p.phase = 'Succeeded' and p.trigger <> 'rollback'`,
  );
  return row?.finished_at ? new Date(row.finished_at) : undefined;
}
