import type { ConsumerRegistry } from '../events/consumers/consumer-registry.js';
import { InboundEvents, type PullRequestChanged } from '../webhooks/inbound-events.js';
import { ReleaseEvents, type ReleaseRegistered } from '../releases/releases.service.js';
import type { NewEvent } from '../events/event.js';
import type { Preview } from './previews.repository.js';
import type { PreviewsService } from './previews.service.js';

/** Event types the previews feature writes to the outbox. Key: `<service>/<stage>`. */
export const PreviewEvents = {
  /** A pull request's stage exists (opened, or reopened). */
  opened: 'preview.opened',
  /** Its pull request closed, merged or went quiet: the stage is being torn down. */
  closing: 'preview.closing',
  /** The stage is gone. */
  closed: 'preview.closed',
} as const;

export interface PreviewChanged {
  service: string;
  stage: string;
  number: number;
  pullRequestUrl: string;
  headSha: string;
  /** Why it is closing or closed: merged, closed, expired. */
  reason?: string;
  at: string;
}

export const PREVIEWS_GROUP = 'previews';

/** The event announcing that `preview` opened, is closing or closed. */
export function previewEvent(
  type: (typeof PreviewEvents)[keyof typeof PreviewEvents],
  preview: Preview,
  at: Date,
): NewEvent<PreviewChanged> {
  const payload: PreviewChanged = {
    service: preview.service,
    stage: preview.stage,
    number: preview.number,
    pullRequestUrl: preview.pullRequestUrl,
    headSha: preview.headSha,
    ...(preview.closeReason && type !== PreviewEvents.opened ? { reason: preview.closeReason } : {}),
    at: at.toISOString(),
  };
  return { type, key: `${preview.service}/${preview.stage}`, payload };
}

/** Pull requests open and close previews; releases built from a pull request's head go into its preview. */
export function registerPreviewConsumers(registry: ConsumerRegistry, previews: PreviewsService): void {
  registry.register<PullRequestChanged>({
    group: PREVIEWS_GROUP,
    eventType: InboundEvents.pullRequestChanged,
    handle: (event, tx, context) => previews.onPullRequest(tx, event.payload, context),
  });
  registry.register<ReleaseRegistered>({
    group: PREVIEWS_GROUP,
    eventType: ReleaseEvents.registered,
    handle: (event, tx, context) => previews.onReleaseRegistered(tx, event.payload, context),
  });
}
