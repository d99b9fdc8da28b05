import type { Actor } from '../access/actor.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { errorMessage } from '../../shared/errors.js';
import type { EventAppender } from '../events/event-appender.js';
import { deleteStageStatus, findCurrentSpec } from '../pipelines/pipelines.repository.js';
import { stagePolicyOf } from '../pipelines/stage-policy.js';
import type { TargetDriver } from '../targets/target-driver.js';
import { findActivePromotion } from '../promotions/promotions.repository.js';
import type { PromotionsService } from '../promotions/promotions.service.js';
import { PreviewEvents, previewEvent } from './preview-events.js';
import {
  activePreviews,
  closingPreviews,
  markClosed,
  markClosing,
  recordTeardownError,
  type Preview,
} from './previews.repository.js';

const PREVIEWS_ACTOR: Actor = { name: 'system:previews', role: 'admin', stages: null };
/** Closing previews torn down per pass; the next pass takes the rest. */
const BATCH = 20;

export interface PreviewTeardownOptions {
  database: DatabaseHandle;
  events: EventAppender;
  promotions: PromotionsService;
  /** Each target's driver: removeStage() takes away what the preview left there. */
  drivers: readonly TargetDriver[];
  /** Stops a local stage for good and forgets it: for a preview whose target is no longer declared. */
  removeLocalStage(service: string, stage: string): Promise<void>;
  logger: Logger;
  /** A preview whose pull request was quiet this long is torn down, unless its stage sets its own ttl. */
  defaultTtlMs: number;
  /** How often quiet previews are looked for and failed teardowns retried (default 1 minute). */
  sweepIntervalMs?: number;
}

/**
 * Tears down the stages of previews whose pull request closed, merged or went
 * quiet past its TTL: the promotion still running there is aborted, the
 * local stage's proxy and replicas stop, and the preview is marked closed.
 * A failed teardown stays `closing` with its error and is retried on the
 * next pass, by this process or any other Gantry sharing the database.
 */
export class PreviewTeardown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: PreviewTeardownOptions) {}

  start(): void {
    this.stopped = false;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.sweepIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Runs a pass soon; passes never overlap. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.options.logger.error({ error: errorMessage(error) }, 'preview teardown pass failed');
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: quiet previews expire, then closing ones are torn down. Returns how many closed. */
  async sweep(now = new Date()): Promise<number> {
    await this.expireQuiet(now);
    let closed = 0;
    for (const preview of await closingPreviews(this.options.database.db, BATCH)) {
      if (await this.tearDown(preview)) closed++;
    }
    return closed;
  }

  private async expireQuiet(now: Date): Promise<void> {
    const { db } = this.options.database;
    // Each service's TTL is read once per pass, however many previews it has.
    const ttls = new Map<string, number>();
    for (const preview of await activePreviews(db)) {
      let ttlMs = ttls.get(preview.service);
      if (ttlMs === undefined) {
        ttlMs = (await this.ttlOf(preview.service)) ?? this.options.defaultTtlMs;
        ttls.set(preview.service, ttlMs);
      }
      if (now.getTime() - preview.lastActivityAt.getTime() <= ttlMs) continue;
      await db.transaction(async (tx) => {
        const closing = await markClosing(tx, preview.service, preview.number, 'expired', now);
        if (closing) await this.options.events.append(tx, previewEvent(PreviewEvents.closing, closing, now));
      });
    }
  }

  private async ttlOf(service: string): Promise<number | undefined> {
    return (await findCurrentSpec(this.options.database.db, service))?.preview?.options.ttl?.ms;
  }

  /** The stage's target as the current pipeline declares it; without one, only a local stage can be left. */
  private async removeFromTarget(preview: Preview): Promise<void> {
    const spec = await findCurrentSpec(this.options.database.db, preview.service);
    const target = spec?.preview ? stagePolicyOf(spec, preview.stage).target : undefined;
    const driver = target && this.options.drivers.find((candidate) => candidate.type === target.type);
    if (!target || !driver) {
      await this.options.removeLocalStage(preview.service, preview.stage);
      return;
    }
    const summary = await driver.removeStage({ service: preview.service, stage: preview.stage, target });
    this.options.logger.info({ service: preview.service, stage: preview.stage }, summary);
  }

  private async tearDown(preview: Preview): Promise<boolean> {
    const { db } = this.options.database;
    const reason = `preview ${preview.stage} closed: pull request ${preview.closeReason ?? 'closed'}`;
    try {
      const active = await findActivePromotion(db, preview.service, preview.stage);
      if (active) await this.options.promotions.abort(active.id, reason, PREVIEWS_ACTOR);
      await this.removeFromTarget(preview);
      await db.transaction(async (tx) => {
        // Reopened meanwhile: it stays active, and its next release starts the stage again.
        if (!(await markClosed(tx, preview.service, preview.number, new Date()))) return;
        await deleteStageStatus(tx, preview.service, preview.stage);
        await this.options.events.append(tx, previewEvent(PreviewEvents.closed, preview, new Date()));
      });
      this.options.logger.info({ service: preview.service, stage: preview.stage }, reason);
      return true;
    } catch (error) {
      const message = errorMessage(error);
      this.options.logger.warn(
        { service: preview.service, stage: preview.stage, error: message },
        'preview teardown failed; retrying on the next pass',
      );
      await recordTeardownError(db, preview.service, preview.number, message);
      return false;
    }
  }
}
