import type { DatabaseHandle, Tx } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import type { HandlerContext } from '../events/consumers/consumer-registry.js';
import type { EventAppender } from '../events/event-appender.js';
import { findCurrentSpec, listServices } from '../pipelines/pipelines.repository.js';
import { repositoryIdentity } from '../pipelines/repository-identity.js';
import type { ServiceSpec } from '../pipelines/pipeline-spec.js';
import type { PromotionsService } from '../promotions/promotions.service.js';
import { findReleaseById, latestReleaseAtCommit, type Release } from '../releases/releases.repository.js';
import type { ReleaseRegistered } from '../releases/releases.service.js';
import type { PullRequestChanged } from '../webhooks/inbound-events.js';
import { PreviewEvents, previewEvent } from './preview-events.js';
import {
  activePreviewsAtCommit,
  listPreviews,
  markClosing,
  openPreview,
  type Preview,
} from './previews.repository.js';

export interface PreviewView extends Preview {
  /** Where people reach the preview, when Gantry knows. */
  url: string | null;
}

export interface PreviewsServiceOptions {
  database: DatabaseHandle;
  events: EventAppender;
  promotions: PromotionsService;
  logger: Logger;
  /** The port a local stage answers on, while it runs. */
  portOf(service: string, stage: string): number | undefined;
  /** Host local stages' proxies listen on, for URLs. */
  proxyHost: string;
  /** Wakes the teardown of closing previews once the transaction that closed them committed. */
  onClosing(): void;
}

/** The stage name of pull request `number`'s preview. */
export function previewStageName(number: number): string {
  return `pr-${number}`;
}

/**
 * Previews: a pull request opened against a service's repository gets a
 * stage of its own (`pr-<number>`, made from the service's preview stage);
 * each release built from the pull request's head commit is promoted into it;
 * closing or merging the pull request tears it down (preview-teardown.ts).
 */
export class PreviewsService {
  constructor(private readonly options: PreviewsServiceOptions) {}

  /** Handles source.pull-request-changed, inside the consumer's transaction. */
  async onPullRequest(tx: Tx, change: PullRequestChanged, context: HandlerContext): Promise<void> {
    const at = new Date(change.at);
    const when = Number.isNaN(at.getTime()) ? new Date() : at;
    for (const service of await servicesWithPreviews(tx, change.repository.identity)) {
      const stage = previewStageName(change.number);
      if (change.action === 'closed') {
        const closing = await markClosing(
          tx,
          service.name,
          change.number,
          change.merged ? 'merged' : 'closed',
          when,
        );
        if (closing) {
          await this.options.events.append(tx, previewEvent(PreviewEvents.closing, closing, when));
          context.afterCommit(() => this.options.onClosing());
        }
        continue;
      }
      const { preview, previousStatus } = await openPreview(tx, {
        service: service.name,
        number: change.number,
        stage,
        title: change.title,
        author: change.author,
        pullRequestUrl: change.url,
        headSha: change.headSha,
        headRef: change.headRef,
        at: when,
      });
      if (previousStatus !== 'active') {
        await this.options.events.append(tx, previewEvent(PreviewEvents.opened, preview, when));
      }
      // CI may have registered the head's release before the pull request event arrived.
      const release = await latestReleaseAtCommit(tx, service.name, preview.headSha);
      if (release) await this.promote(tx, release, preview, context);
    }
  }

  /** Handles release.registered: a release built from an open pull request's head goes into its preview. */
  async onReleaseRegistered(tx: Tx, registered: ReleaseRegistered, context: HandlerContext): Promise<void> {
    const matching = await activePreviewsAtCommit(tx, registered.service, registered.commit);
    if (matching.length === 0) return;
    const release = await findReleaseById(tx, registered.releaseId);
    if (!release) return;
    for (const preview of matching) await this.promote(tx, release, preview, context);
  }

  async list(filter: { service?: string; includeClosed: boolean; limit: number }): Promise<PreviewView[]> {
    const rows = await listPreviews(this.options.database.db, filter);
    const specs = new Map<string, ServiceSpec | undefined>();
    const views: PreviewView[] = [];
    for (const row of rows) {
      if (!specs.has(row.service))
        specs.set(row.service, await findCurrentSpec(this.options.database.db, row.service));
      views.push({ ...row, url: this.urlOf(row, specs.get(row.service)) });
    }
    return views;
  }

  private urlOf(preview: Preview, spec: ServiceSpec | undefined): string | null {
    if (preview.status === 'closed') return null;
    const template = spec?.preview?.options.url;
    if (template) {
      return template.replaceAll('{{stage}}', preview.stage).replaceAll('{{number}}', String(preview.number));
    }
    const port = this.options.portOf(preview.service, preview.stage);
    return port === undefined ? null : `http://${hostForUrl(this.options.proxyHost)}:${port}/`;
  }

  private async promote(tx: Tx, release: Release, preview: Preview, context: HandlerContext): Promise<void> {
    const outcome = await this.options.promotions.requestAuto(tx, release, preview.stage, context);
    if (typeof outcome === 'string') {
      this.options.logger.info(
        { service: release.service, version: release.version, stage: preview.stage },
        `no promotion into the preview: ${outcome}`,
      );
    }
  }
}

/** Services built from the repository whose pipeline has a preview stage, with their current spec. */
async function servicesWithPreviews(tx: Tx, identity: string): Promise<ServiceSpec[]> {
  const found: ServiceSpec[] = [];
  for (const service of await listServices(tx)) {
    if (!service.sourceRepo || repositoryIdentity(service.sourceRepo) !== identity) continue;
    const spec = await findCurrentSpec(tx, service.name);
    if (spec?.preview) found.push(spec);
  }
  return found;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
