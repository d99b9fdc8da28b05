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
  deliveryIdFrom,
  headerValue,
  instant,
  parsePayload,
  sha,
  sourceRepository,
  type Translation,
} from './translation.js';

// GitHub's webhook (X-GitHub-Event, X-GitHub-Delivery) into inbound events:
//   push                      → source.pushed (branches and tags, created and deleted)
//   pull_request              → source.pull-request-changed for opened, synchronize, reopened, closed
//   workflow_run completed    → source.ci-run-completed
//   ping                      → answered, nothing written
// Everything else (other actions, release, issues, …) is acknowledged and ignored.

/** GitHub lists at most this many commits in a push; a push of more is truncated. */
export const GITHUB_PUSH_COMMIT_LIMIT = 2048;

const repository = z.looseObject({
  full_name: z.string().min(1),
  html_url: z.string().min(1),
  clone_url: z.string().nullish(),
  ssh_url: z.string().nullish(),
});

const pushPayload = z.looseObject({
  ref: z.string().min(1),
  before: sha,
  after: sha,
  repository,
  commits: z
    .array(
      z.looseObject({
        id: sha,
        timestamp: instant,
        message: z.string(),
        author: z.looseObject({ name: z.string(), email: z.string().nullish() }),
        added: z.array(z.string()).nullish(),
        modified: z.array(z.string()).nullish(),
        removed: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

const pullRequestPayload = z.looseObject({
  action: z.string(),
  number: z.number().int().positive(),
  repository,
  pull_request: z.looseObject({
    html_url: z.string().min(1),
    title: z.string(),
    merged: z.boolean().nullish(),
    updated_at: instant,
    closed_at: instant.nullish(),
    user: z.looseObject({ login: z.string() }).nullish(),
    head: z.looseObject({ sha, ref: z.string() }),
    base: z.looseObject({ ref: z.string() }),
  }),
});

const workflowRunPayload = z.looseObject({
  action: z.string(),
  repository,
  workflow_run: z.looseObject({
    name: z.string().nullish(),
    head_sha: sha,
    head_branch: z.string().nullish(),
    conclusion: z.string().nullish(),
    html_url: z.string().min(1),
    updated_at: instant,
  }),
  workflow: z.looseObject({ name: z.string().nullish() }).nullish(),
});

const actionOnly = z.looseObject({ action: z.string().optional() });

const PULL_REQUEST_ACTIONS: readonly string[] = [
  'opened',
  'synchronize',
  'reopened',
  'closed',
] satisfies PullRequestAction[];

type Repository = z.output<typeof repository>;

function repositoryOf(repo: Repository) {
  return sourceRepository(repo.full_name, repo.html_url, [repo.clone_url, repo.ssh_url]);
}

/** The events a verified GitHub delivery stands for. */
export function translateGithub(
  headers: Record<string, string | string[] | undefined>,
  body: unknown,
): Translation {
  const event = headerValue(headers['x-github-event']);
  if (event === undefined || !/^[a-z_]{1,100}$/.test(event)) {
    throw new ValidationError('the X-GitHub-Event header is missing or not an event name');
  }
  const deliveryId = deliveryIdFrom(headers['x-github-delivery'], 'X-GitHub-Delivery');
  switch (event) {
    case 'ping':
      return {
        kind: 'ignored',
        event,
        reason: 'pong: GitHub reaches Gantry and the signature is right; nothing to do for a ping',
      };
    case 'push':
      return push(deliveryId, parsePayload(pushPayload, body, 'GitHub push payload'));
    case 'pull_request':
      return pullRequest(deliveryId, body);
    case 'workflow_run':
      return workflowRun(deliveryId, body);
    case 'release': {
      const { action } = parsePayload(actionOnly, body, 'GitHub release payload');
      return {
        kind: 'ignored',
        event: action ? `release.${action}` : event,
        reason:
          'GitHub releases are not Gantry releases: register what CI built with POST /api/v1/releases or the CI webhook; the tag push already arrives as a push',
      };
    }
    default:
      return { kind: 'ignored', event, reason: `Gantry does not act on GitHub ${event} events` };
  }
}

function push(deliveryId: string, payload: z.output<typeof pushPayload>): Translation {
  const listed = payload.commits ?? [];
  const truncated = listed.length >= GITHUB_PUSH_COMMIT_LIMIT;
  const commits = commitsOfPush(payload.before, listed, truncated);
  const repository = repositoryOf(payload.repository);
  const pushed: SourcePushed = {
    provider: 'github',
    deliveryId,
    repository,
    ref: payload.ref,
    before: payload.before,
    after: payload.after,
    commits,
    truncated,
  };
  return {
    kind: 'events',
    event: 'push',
    deliveryId,
    events: [{ type: InboundEvents.pushed, key: repository.identity, payload: pushed }],
  };
}

function pullRequest(deliveryId: string, body: unknown): Translation {
  const { action } = parsePayload(actionOnly, body, 'GitHub pull_request payload');
  if (action === undefined || !PULL_REQUEST_ACTIONS.includes(action)) {
    return {
      kind: 'ignored',
      event: `pull_request.${action ?? 'unknown'}`,
      reason: `Gantry acts on pull requests opened, synchronized, reopened or closed, not ${action ?? 'without an action'}`,
    };
  }
  const payload = parsePayload(pullRequestPayload, body, 'GitHub pull_request payload');
  const pr = payload.pull_request;
  const repository = repositoryOf(payload.repository);
  const changed: PullRequestChanged = {
    provider: 'github',
    deliveryId,
    repository,
    number: payload.number,
    action: action as PullRequestAction,
    merged: action === 'closed' && pr.merged === true,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    title: pr.title,
    author: pr.user?.login ?? '',
    url: pr.html_url,
    at: (action === 'closed' ? pr.closed_at : undefined) ?? pr.updated_at,
  };
  return {
    kind: 'events',
    event: `pull_request.${action}`,
    deliveryId,
    events: [
      {
        type: InboundEvents.pullRequestChanged,
        key: `${repository.identity}#${payload.number}`,
        payload: changed,
      },
    ],
  };
}

function workflowRun(deliveryId: string, body: unknown): Translation {
  const { action } = parsePayload(actionOnly, body, 'GitHub workflow_run payload');
  if (action !== 'completed') {
    return {
      kind: 'ignored',
      event: `workflow_run.${action ?? 'unknown'}`,
      reason: 'Gantry acts on completed workflow runs only',
    };
  }
  const payload = parsePayload(workflowRunPayload, body, 'GitHub workflow_run payload');
  const run = payload.workflow_run;
  const repository = repositoryOf(payload.repository);
  const completed: CiRunCompleted = {
    provider: 'github',
    deliveryId,
    repository,
    name: run.name || payload.workflow?.name || 'workflow',
    headSha: run.head_sha,
    headRef: run.head_branch ?? '',
    conclusion: (run.conclusion ?? 'unknown').toLowerCase(),
    url: run.html_url,
    at: run.updated_at,
  };
  return {
    kind: 'events',
    event: 'workflow_run.completed',
    deliveryId,
    events: [{ type: InboundEvents.ciRunCompleted, key: repository.identity, payload: completed }],
  };
}

/**
 * GitHub sends `application/x-www-form-urlencoded` (`payload=<json>`) when the
 * webhook's content type was left at its default; the JSON inside is the same.
 */
export function githubPayload(contentType: string | undefined, body: unknown): unknown {
  if (!contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) return body;
  const payload = (body as { payload?: unknown } | undefined)?.payload;
  if (typeof payload !== 'string') {
    throw new ValidationError(
      'a form-encoded GitHub delivery must carry a payload field; better, set the webhook content type to application/json',
    );
  }
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    throw new ValidationError('the payload field of the form-encoded GitHub delivery is not valid JSON');
  }
}
