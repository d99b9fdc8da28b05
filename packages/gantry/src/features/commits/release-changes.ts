import type { Executor } from '../../platform/database/database.js';
import { findRevision, findService } from '../pipelines/pipelines.repository.js';
import { asServiceSpec } from '../pipelines/stage-policy.js';
import { commitTouchesService } from './commit-scope.js';
import { repositoryIdentity } from '../pipelines/repository-identity.js';
import type { Release } from '../releases/releases.repository.js';
import {
  findSourceCommit,
  firstProductionSuccess,
  MAX_WALK_DEPTH,
  previousProductionRelease,
  serviceCommitsOf,
  sourceCommitsOf,
  walkCommits,
} from './commits.repository.js';

// A release's changes: the commits of its service between the previous
// production release's commit (excluded) and its own (included), found by
// following recorded parent links back from its commit. When the walk cannot
// reach the previous release's commit (no push was recorded for part of the
// history, there is no earlier production release, the service names no
// repository), the history is unknown and the changes are the release's own
// commit alone, said so with historyKnown: false and a reason.

export interface ReleaseChange {
  sha: string;
  /** Null when neither the release nor a recorded push gave the commit's time. */
  committedAt: Date | null;
  authorName: string | null;
  authorEmail: string | null;
  title: string | null;
}

export interface ReleaseChanges {
  service: string;
  version: string;
  commit: string;
  historyKnown: boolean;
  /** Why the history is (un)known, in words. */
  reason: string;
  /** The production release the changes are counted from. */
  previous: { version: string; commit: string } | null;
  /** Newest first. */
  commits: ReleaseChange[];
}

/**
 * The changes `release` brought to production. `before` is when it reached
 * production (default: its first production success, or now): the previous
 * production release is the last one that succeeded there before that.
 */
export async function releaseChanges(
  executor: Executor,
  release: Release,
  options: { before?: Date } = {},
): Promise<ReleaseChanges> {
  const base = { service: release.service, version: release.version, commit: release.commitSha };
  const service = await findService(executor, release.service);
  const repository = service?.sourceRepo ? repositoryIdentity(service.sourceRepo) : undefined;
  const before = options.before ?? (await firstProductionSuccess(executor, release.id)) ?? new Date();
  const previousRow = await previousProductionRelease(executor, release.service, release.id, before);
  const previous = previousRow ? { version: previousRow.version, commit: previousRow.commitSha } : null;

  const unknown = async (reason: string): Promise<ReleaseChanges> => {
    const recorded = repository ? await findSourceCommit(executor, repository, release.commitSha) : undefined;
    return {
      ...base,
      historyKnown: false,
      reason,
      previous,
      commits: [
        {
          sha: release.commitSha,
          committedAt: release.commitTime ?? recorded?.committedAt ?? null,
          authorName: recorded?.authorName ?? null,
          authorEmail: recorded?.authorEmail ?? null,
          title: recorded?.title ?? null,
        },
      ],
    };
  };

  if (!repository) return unknown(`service ${release.service} names no source repository`);
  if (!previous) return unknown('no earlier release of the service succeeded in production to count from');
  if (previous.commit === release.commitSha) {
    return {
      ...base,
      historyKnown: true,
      reason: `built from the same commit as ${previous.version}`,
      previous,
      commits: [],
    };
  }
  const walked = await walkCommits(executor, repository, release.commitSha, previous.commit);
  if (walked.length === 0) {
    return unknown(`no recorded push of ${repository} contains commit ${release.commitSha}`);
  }
  if (!walked.some((commit) => commit.parentSha === previous.commit)) {
    const last = walked.at(-1)!;
    return unknown(
      walked.length > MAX_WALK_DEPTH
        ? `more than ${MAX_WALK_DEPTH} commits since ${previous.version}`
        : last.parentSha === null
          ? `the parent of commit ${last.sha} is not recorded`
          : `commit ${last.parentSha} (parent of ${last.sha}) was never recorded in a push`,
    );
  }
  const shas = walked.map((commit) => commit.sha);
  const recorded = new Map(
    (await serviceCommitsOf(executor, release.service, shas)).map((row) => [row.sha, row]),
  );
  const pushed = await sourceCommitsOf(executor, repository, shas);
  // A service declared after a push has no rows of its own for it: its
  // current paths decide for those commits.
  const revision = service ? await findRevision(executor, service.name, service.currentRevision) : undefined;
  const globs = revision ? (asServiceSpec(revision.spec).source?.paths ?? []) : [];
  const commits: ReleaseChange[] = [];
  for (const sha of shas) {
    const own = recorded.get(sha);
    const source = pushed.get(sha);
    if (own) {
      commits.push({
        sha,
        committedAt: own.committedAt,
        authorName: own.authorName,
        authorEmail: own.authorEmail,
        title: source?.title ?? null,
      });
    } else if (
      source &&
      source.recordedAt < (service?.createdAt ?? source.recordedAt) &&
      commitTouchesService(source.paths, globs)
    ) {
      commits.push({
        sha,
        committedAt: source.committedAt,
        authorName: source.authorName,
        authorEmail: source.authorEmail,
        title: source.title,
      });
    }
  }
  return {
    ...base,
    historyKnown: true,
    reason: `${walked.length} commit(s) since ${previous.version}, ${commits.length} of them in the service's paths`,
    previous,
    commits,
  };
}
