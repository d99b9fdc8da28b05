import type { Logger } from '../../platform/logging/logger.js';
import type { ConsumerRegistry, HandlerContext } from '../events/consumers/consumer-registry.js';
import { findRevision, findService, findStageStatus } from '../pipelines/pipelines.repository.js';
import { downstreamStagesOf, entryStagesOf, stagePolicyOf } from '../pipelines/stage-policy.js';
import { findReleaseById, latestRelease, type Release } from '../releases/releases.repository.js';
import { compareVersions } from '../releases/calver.js';
import { isTerminal } from './promotion-state-machine.js';
import type { Tx } from '../../platform/database/database.js';
import {
  ReleaseEvents,
  type EvidenceAttached,
  type ReleaseRegistered,
} from '../releases/releases.service.js';
import {
  PromotionEvents,
  type PromotionPhaseChanged,
  type PromotionRecheck,
  type PromotionRequested,
} from './promotion-events.js';
import { waitingPromotionsOfRelease } from './promotions.repository.js';
import type { PromotionsService } from './promotions.service.js';

/** The consumer group that drives promotions. One replica handles each event. */
export const PROMOTION_ENGINE_GROUP = 'promotion-engine';
const ENGINE_ACTOR = 'system:promotion-engine';

/**
 * Everything asynchronous in a promotion's life is one of these handlers. Each
 * runs in the transaction that records the event as processed, so a
 * redelivery never repeats it, and each only re-evaluates stored facts, so
 * handling events in any interleaving reaches the same state.
 */
export function registerPromotionConsumers(
  registry: ConsumerRegistry,
  promotions: PromotionsService,
  logger: Logger,
): void {
  const on = <P>(eventType: string, handle: (payload: P, tx: Tx, context: HandlerContext) => Promise<void>) =>
    registry.register<P>({
      group: PROMOTION_ENGINE_GROUP,
      eventType,
      handle: (event, tx, context) => handle(event.payload, tx, context),
    });

  const autoPromote = async (
    tx: Tx,
    release: Release,
    stages: readonly string[],
    context: HandlerContext,
  ) => {
    for (const stage of stages) {
      const outcome = await promotions.requestAuto(tx, release, stage, context);
      if (typeof outcome === 'string') {
        logger.info(
          { service: release.service, version: release.version, stage },
          `no auto-promotion: ${outcome}`,
        );
      }
    }
  };

  // A new release enters the pipeline's first stages that promote automatically.
  on<ReleaseRegistered>(ReleaseEvents.registered, async (payload, tx, context) => {
    const release = await findReleaseById(tx, payload.releaseId);
    const spec = release ? await currentSpec(tx, release.service) : undefined;
    if (!release || !spec) return;
    const stages = entryStagesOf(spec).filter((stage) => stagePolicyOf(spec, stage).promotion === 'auto');
    await autoPromote(tx, release, stages, context);
  });

  // New evidence can open gates a promotion of this release is waiting on.
  on<EvidenceAttached>(ReleaseEvents.evidenceAttached, async (payload, tx, context) => {
    for (const promotion of await waitingPromotionsOfRelease(tx, payload.releaseId)) {
      await promotions.advance(tx, promotion.id, ENGINE_ACTOR, context);
    }
  });

  on<PromotionRequested>(PromotionEvents.requested, async (payload, tx, context) => {
    await promotions.advance(tx, payload.promotionId, ENGINE_ACTOR, context);
  });

  on<PromotionRecheck>(PromotionEvents.recheck, async (payload, tx, context) => {
    await promotions.advance(tx, payload.promotionId, ENGINE_ACTOR, context);
  });

  on<PromotionPhaseChanged>(PromotionEvents.phaseChanged, async (payload, tx, context) => {
    if (!isTerminal(payload.to)) return;
    const spec = await currentSpec(tx, payload.service);
    if (!spec) return;
    // The stage is free again: a release that arrived while it was busy gets its turn.
    await catchUp(tx, spec, payload, context);
    // A success changes what downstream stages see: their upstream and soak
    // gates, and which release their auto-promotion should take next. A
    // rollback does not carry its older release further down the pipeline.
    if (payload.to !== 'Succeeded' || payload.trigger === 'rollback') return;
    const release = await findReleaseById(tx, payload.releaseId);
    if (!release) return;
    const downstream = downstreamStagesOf(spec, payload.stage);
    for (const stage of downstream) {
      for (const waiting of await promotions.waitingIn(tx, payload.service, stage)) {
        await promotions.advance(tx, waiting.id, ENGINE_ACTOR, context);
      }
    }
    const auto = downstream.filter((stage) => stagePolicyOf(spec, stage).promotion === 'auto');
    await autoPromote(tx, release, auto, context);
  });

  /**
   * The release an auto stage should run next, when it is not the one that
   * just finished there: the newest release for an entry stage, or the
   * release all upstream stages run. requestAuto applies holds and gates.
   */
  const catchUp = async (tx: Tx, spec: unknown, finished: PromotionPhaseChanged, context: HandlerContext) => {
    const policy = stagePolicyOf(spec, finished.stage);
    // A preview takes its pull request's releases only (previews.service.ts), never the newest one.
    if (policy.promotion !== 'auto' || policy.preview) return;
    let candidate: Release | undefined;
    if (policy.requires.length === 0) {
      candidate = await latestRelease(tx, finished.service);
    } else {
      const upstream = await Promise.all(
        policy.requires.map((stage) => findStageStatus(tx, finished.service, stage)),
      );
      const ids = new Set(upstream.map((status) => status?.currentReleaseId ?? null));
      const [only] = [...ids];
      if (ids.size === 1 && only) candidate = await findReleaseById(tx, only);
    }
    if (!candidate || candidate.id === finished.releaseId) return;
    const status = await findStageStatus(tx, finished.service, finished.stage);
    const current = status?.currentVersion;
    if (status?.currentReleaseId === candidate.id) return;
    if (current && compareVersions(candidate.version, current) <= 0) return;
    await autoPromote(tx, candidate, [finished.stage], context);
  };
}

async function currentSpec(tx: Tx, service: string): Promise<unknown> {
  const row = await findService(tx, service);
  if (!row) return undefined;
  return (await findRevision(tx, service, row.currentRevision))?.spec;
}
