import type { Logger } from '../../platform/logging/logger.js';
import type { Tx } from '../../platform/database/database.js';
import type { ConsumerRegistry } from '../events/consumers/consumer-registry.js';
import { findRevision, listServices } from '../pipelines/pipelines.repository.js';
import { repositoryIdentity } from '../pipelines/repository-identity.js';
import { asServiceSpec } from '../pipelines/stage-policy.js';
import { InboundEvents, type SourcePushed } from '../webhooks/inbound-events.js';
import { commitTouchesService } from './commit-scope.js';
import { recordServiceCommits, recordSourceCommits } from './commits.repository.js';

/** The consumer group that records pushed commits. */
export const COMMIT_RECORDER_GROUP = 'commit-recorder';

const NO_COMMIT = /^0{40}$/;

/**
 * Records the commits of a push: each once per repository (with its parent
 * link), and once per service whose repository matches and whose paths the
 * commit touched. Runs in the transaction that marks the event processed;
 * every insert also skips rows already there, so a redelivered push changes
 * nothing.
 */
export async function recordPush(tx: Tx, push: SourcePushed, logger: Logger): Promise<void> {
  const repository = push.repository.identity;
  const commits = push.commits.flatMap((commit) => {
    const committedAt = new Date(commit.time);
    if (Number.isNaN(committedAt.getTime())) {
      logger.warn(
        { repository, sha: commit.sha, time: commit.time },
        'pushed commit has no readable time; skipped',
      );
      return [];
    }
    // The webhook leaves the parent out where it is unknown (the oldest commit of a truncated push).
    const parent = commit.parentSha;
    return [{ commit, committedAt, parentSha: parent && !NO_COMMIT.test(parent) ? parent : null }];
  });
  await recordSourceCommits(
    tx,
    commits.map(({ commit, committedAt, parentSha }) => ({
      repository,
      sha: commit.sha,
      committedAt,
      authorName: commit.authorName,
      authorEmail: commit.authorEmail,
      title: commit.title,
      parentSha,
      paths: commit.paths,
    })),
  );
  const services = (await listServices(tx)).filter(
    (service) => service.sourceRepo !== null && repositoryIdentity(service.sourceRepo) === repository,
  );
  for (const service of services) {
    const revision = await findRevision(tx, service.name, service.currentRevision);
    const globs = revision ? (asServiceSpec(revision.spec).source?.paths ?? []) : [];
    await recordServiceCommits(
      tx,
      commits
        .filter(({ commit }) => commitTouchesService(commit.paths, globs))
        .map(({ commit, committedAt }) => ({
          service: service.name,
          sha: commit.sha,
          repository,
          committedAt,
          authorName: commit.authorName,
          authorEmail: commit.authorEmail,
        })),
    );
  }
}

export function registerCommitConsumers(registry: ConsumerRegistry, logger: Logger): void {
  registry.register<SourcePushed>({
    group: COMMIT_RECORDER_GROUP,
    eventType: InboundEvents.pushed,
    handle: (event, tx) => recordPush(tx, event.payload, logger),
  });
}
