// What the webhook endpoints hand on. An endpoint verifies, validates and
// deduplicates a delivery, then writes one of these events to the outbox in
// the transaction that records the delivery id; the features that act on
// them (commits, previews, incidents, releases) consume them. The payloads are
// provider-neutral: a consumer never needs to know whether GitHub or GitLab
// sent the push. Secrets and signature headers never reach a payload.

/** Event types the webhook endpoints write to the outbox. Keys are given per type. */
export const InboundEvents = {
  /** Commits pushed to a branch or tag. Key: the repository identity. */
  pushed: 'source.pushed',
  /** A pull (merge) request was opened, updated, reopened or closed. Key: `<repository identity>#<number>`. */
  pullRequestChanged: 'source.pull-request-changed',
  /** A CI run finished (GitHub workflow_run, GitLab pipeline). Key: the repository identity. */
  ciRunCompleted: 'source.ci-run-completed',
  /** One alert of an Alertmanager notification changed status. Key: the alert's fingerprint. */
  alertChanged: 'alert.changed',
} as const;
// The signed CI webhook writes no event of its own: it registers the release
// through ReleasesService.create, whose release.registered goes through the outbox.

export type SourceProvider = 'github' | 'gitlab';

/** A repository as the provider names it; compare with repositoryIdentity() (pipelines/repository-identity.ts). */
export interface SourceRepository {
  /** `owner/name` (GitHub) or `group/sub/name` (GitLab). */
  fullName: string;
  /** Every URL the payload gives for it (web page, https clone, ssh clone). */
  urls: string[];
  /** repositoryIdentity() of the web URL: the event's key and what services are matched by. */
  identity: string;
}

export interface PushedCommit {
  sha: string;
  /** ISO 8601 with offset, as the provider gave it. */
  time: string;
  authorName: string;
  authorEmail: string;
  /** The first line of the message, at most 200 characters. */
  title: string;
  /** Paths added, modified or removed; for monorepo scoping. Empty when the provider did not say. */
  paths: string[];
  /** The commit before this one in the push (the push's `before` for the first); undefined when unknown: a new branch, or the oldest listed commit of a truncated push. */
  parentSha?: string;
}

export interface SourcePushed {
  provider: SourceProvider;
  deliveryId: string;
  repository: SourceRepository;
  /** Full ref, e.g. refs/heads/main. */
  ref: string;
  /** Head before the push; 40 zeros when the ref was created. */
  before: string;
  /** Head after the push; 40 zeros when the ref was deleted. */
  after: string;
  /** Oldest first, as the provider lists them (GitHub sends at most 2048, GitLab the newest 20). */
  commits: PushedCommit[];
  /** The provider listed fewer commits than the push holds. */
  truncated: boolean;
}

export type PullRequestAction = 'opened' | 'synchronize' | 'reopened' | 'closed';

export interface PullRequestChanged {
  provider: SourceProvider;
  deliveryId: string;
  repository: SourceRepository;
  number: number;
  action: PullRequestAction;
  /** Closed by merging (only meaningful when action is closed). */
  merged: boolean;
  headSha: string;
  headRef: string;
  baseRef: string;
  title: string;
  author: string;
  /** The pull request's web page. */
  url: string;
  /** When the provider says the change happened (ISO 8601). */
  at: string;
}

export interface CiRunCompleted {
  provider: SourceProvider;
  deliveryId: string;
  repository: SourceRepository;
  /** Workflow or pipeline name. */
  name: string;
  headSha: string;
  headRef: string;
  /** success, failure, cancelled, … as the provider says it, lower case. */
  conclusion: string;
  url: string;
  at: string;
}

export type AlertStatus = 'firing' | 'resolved';

export interface AlertChanged {
  /**
   * Identifies the notification: a digest of Alertmanager's group key, the
   * group's status and each alert's fingerprint, status and times. A retried
   * notification has the same id and is dropped; a group that changed (an
   * alert joined or resolved) gets a new one.
   */
  deliveryId: string;
  receiver: string;
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** Absent (or Alertmanager's zero time) while firing. */
  endsAt?: string;
  generatorUrl?: string;
}
