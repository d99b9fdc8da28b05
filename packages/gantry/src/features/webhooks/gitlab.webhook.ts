import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../shared/errors.js';
import {
  InboundEvents,
  type CiRunCompleted,
  type PullRequestAction,
  type PullRequestChanged,
  type SourcePushed,
} from './inbound-events.js';
import {
  commitsOfPush,
  headerValue,
  instant,
  parsePayload,
  sha,
  sourceRepository,
  type Translation,
} from './translation.js';

// GitLab's webhook (X-Gitlab-Event, X-Gitlab-Event-UUID) into inbound events:
//   Push Hook, Tag Push Hook  → source.pushed
//   Merge Request Hook        → source.pull-request-changed: open → opened, reopen → reopened,
//                               update with new commits (oldrev) → synchronize,
//                               close → closed, merge → closed and merged
//   Pipeline Hook, finished   → source.ci-run-completed (success, failed, canceled, skipped)
// Everything else (approvals, a title edit, running pipelines, other hooks) is acknowledged and ignored.

/** Pipeline statuses after which a pipeline no longer changes. */
export const FINISHED_PIPELINE_STATUSES: readonly string[] = ['success', 'failed', 'canceled', 'skipped'];

const project = z.looseObject({
  path_with_namespace: z.string().min(1),
  web_url: z.string().min(1),
  git_http_url: z.string().nullish(),
  git_ssh_url: z.string().nullish(),
});

const pushPayload = z.looseObject({
  ref: z.string().min(1),
  before: sha,
  after: sha,
  total_commits_count: z.number().int().nonnegative().nullish(),
  project,
  commits: z
    .array(
      z.looseObject({
        id: sha,
        message: z.string(),
        timestamp: instant,
        author: z.looseObject({ name: z.string(), email: z.string().nullish() }),
        added: z.array(z.string()).nullish(),
        modified: z.array(z.string()).nullish(),
        removed: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

const mergeRequestPayload = z.looseObject({
  user: z.looseObject({ username: z.string() }).nullish(),
  project,
  object_attributes: z.looseObject({
    iid: z.number().int().positive(),
    action: z.string().nullish(),
    title: z.string(),
    url: z.string().min(1),
    source_branch: z.string(),
    target_branch: z.string(),
    updated_at: instant,
    oldrev: z.string().nullish(),
    last_commit: z.looseObject({ id: sha }),
  }),
});

const pipelinePayload = z.looseObject({
  project,
  object_attributes: z.looseObject({
    id: z.number().int().positive(),
    name: z.string().nullish(),
    ref: z.string(),
    sha,
    status: z.string(),
    created_at: instant.nullish(),
    finished_at: instant.nullish(),
    url: z.string().nullish(),
  }),
});

const MERGE_REQUEST_ACTIONS: Record<string, { action: PullRequestAction; merged: boolean }> = {
  open: { action: 'opened', merged: false },
  reopen: { action: 'reopened', merged: false },
  update: { action: 'synchronize', merged: false },
  close: { action: 'closed', merged: false },
  merge: { action: 'closed', merged: true },
};

type Project = z.output<typeof project>;

function repositoryOf(p: Project) {
  return sourceRepository(p.path_with_namespace, p.web_url, [p.git_http_url, p.git_ssh_url]);
}

/**
 * The delivery id: X-Gitlab-Event-UUID, which GitLab keeps when it retries.
 * GitLab versions without it are identified by a digest of the body, so an
 * identical retry is still recognised.
 */
export function gitlabDeliveryId(header: string | string[] | undefined, rawBody: Buffer): string {
  const value = headerValue(header);
  if (value !== undefined && /^[\x21-\x7e]{1,200}$/.test(value)) return value;
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

/** The events a verified GitLab delivery stands for. */
export function translateGitlab(
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
  rawBody: Buffer,
): Translation {
  const event = headerValue(headers['x-gitlab-event']);
  if (event === undefined || !/^[A-Za-z ]{1,100}$/.test(event)) {
    throw new ValidationError('the X-Gitlab-Event header is missing or not an event name');
  }
  const deliveryId = gitlabDeliveryId(headers['x-gitlab-event-uuid'], rawBody);
  switch (event) {
    case 'Push Hook':
    case 'Tag Push Hook':
      return push(event, deliveryId, parsePayload(pushPayload, body, `GitLab ${event} payload`));
    case 'Merge Request Hook':
      return mergeRequest(
        deliveryId,
        parsePayload(mergeRequestPayload, body, 'GitLab Merge Request Hook payload'),
      );
    case 'Pipeline Hook':
      return pipeline(deliveryId, parsePayload(pipelinePayload, body, 'GitLab Pipeline Hook payload'));
    default:
      return { kind: 'ignored', event, reason: `Gantry does not act on GitLab ${event} events` };
  }
}

function push(event: string, deliveryId: string, payload: z.output<typeof pushPayload>): Translation {
  const listed = payload.commits ?? [];
  const truncated = (payload.total_commits_count ?? listed.length) > listed.length;
  const repository = repositoryOf(payload.project);
  const pushed: SourcePushed = {
    provider: 'gitlab',
    deliveryId,
    repository,
    ref: payload.ref,
    before: payload.before,
    after: payload.after,
    commits: commitsOfPush(payload.before, listed, truncated),
    truncated,
  };
  return {
    kind: 'events',
    event,
    deliveryId,
    events: [{ type: InboundEvents.pushed, key: repository.identity, payload: pushed }],
  };
}

function mergeRequest(deliveryId: string, payload: z.output<typeof mergeRequestPayload>): Translation {
  const attributes = payload.object_attributes;
  const gitlabAction = attributes.action ?? undefined;
  const mapped = gitlabAction === undefined ? undefined : MERGE_REQUEST_ACTIONS[gitlabAction];
  const event = `Merge Request Hook.${gitlabAction ?? 'unknown'}`;
  if (!mapped) {
    return {
      kind: 'ignored',
      event,
      reason: `Gantry acts on merge requests opened, updated, reopened, closed or merged, not ${gitlabAction ?? 'without an action'}`,
    };
  }
  // GitLab says "update" for any edit; only new commits (oldrev) change what a preview runs.
  if (gitlabAction === 'update' && !attributes.oldrev) {
    return {
      kind: 'ignored',
      event,
      reason: 'the merge request was edited but got no new commits',
    };
  }
  const repository = repositoryOf(payload.project);
  const changed: PullRequestChanged = {
    provider: 'gitlab',
    deliveryId,
    repository,
    number: attributes.iid,
    action: mapped.action,
    merged: mapped.merged,
    headSha: attributes.last_commit.id,
    headRef: attributes.source_branch,
    baseRef: attributes.target_branch,
    title: attributes.title,
    author: payload.user?.username ?? '',
    url: attributes.url,
    at: attributes.updated_at,
  };
  return {
    kind: 'events',
    event,
    deliveryId,
    events: [
      {
        type: InboundEvents.pullRequestChanged,
        key: `${repository.identity}#${attributes.iid}`,
        payload: changed,
      },
    ],
  };
}

function pipeline(deliveryId: string, payload: z.output<typeof pipelinePayload>): Translation {
  const attributes = payload.object_attributes;
  const status = attributes.status.toLowerCase();
  const event = `Pipeline Hook.${status}`;
  if (!FINISHED_PIPELINE_STATUSES.includes(status)) {
    return { kind: 'ignored', event, reason: `the pipeline is ${status}, not finished` };
  }
  const repository = repositoryOf(payload.project);
  const completed: CiRunCompleted = {
    provider: 'gitlab',
    deliveryId,
    repository,
    name: attributes.name || `pipeline #${attributes.id}`,
    headSha: attributes.sha,
    headRef: attributes.ref,
    conclusion: status,
    url: attributes.url || `${payload.project.web_url.replace(/\/+$/, '')}/-/pipelines/${attributes.id}`,
    at: attributes.finished_at ?? attributes.created_at ?? new Date().toISOString(),
  };
  return {
    kind: 'events',
    event,
    deliveryId,
    events: [{ type: InboundEvents.ciRunCompleted, key: repository.identity, payload: completed }],
  };
}
