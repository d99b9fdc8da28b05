import type { Tx } from '../../platform/database/database.js';
import type { ConsumerRegistry } from '../events/consumers/consumer-registry.js';
import { releaseChanges } from '../commits/release-changes.js';
import { PromotionEvents, type PromotionPhaseChanged } from '../promotions/promotion-events.js';
import { findPromotion } from '../promotions/promotions.repository.js';
import { findReleaseById } from '../releases/releases.repository.js';
import { recordLeadTimes } from './dora.repository.js';

/** The consumer group that keeps the DORA projections. */
export const DORA_PROJECTIONS_GROUP = 'dora-projections';

/**
 * When a production deployment succeeds (not a rollback), its release's
 * changes (release-changes.ts) get a lead-time row each: deployed at the
 * promotion's finish, committed at the commit's time. A commit whose time is
 * unknown gets none. Rows already there stay (the first production success
 * of a commit counts), so a redelivered event changes nothing.
 */
export async function projectLeadTimes(tx: Tx, event: PromotionPhaseChanged): Promise<void> {
  if (event.to !== 'Succeeded' || event.trigger === 'rollback') return;
  const promotion = await findPromotion(tx, event.promotionId);
  if (!promotion?.production || !promotion.finishedAt) return;
  const release = await findReleaseById(tx, promotion.releaseId);
  if (!release) return;
  const deployedAt = promotion.finishedAt;
  const changes = await releaseChanges(tx, release, { before: deployedAt });
  await recordLeadTimes(
    tx,
    changes.commits.flatMap((commit) =>
      commit.committedAt
        ? [
            {
              service: promotion.service,
              sha: commit.sha,
              promotionId: promotion.id,
              stage: promotion.stage,
              releaseVersion: promotion.releaseVersion,
              committedAt: commit.committedAt,
              deployedAt,
              leadSeconds: (deployedAt.getTime() - commit.committedAt.getTime()) / 1_000,
            },
          ]
        : [],
    ),
  );
}

export function registerDoraConsumers(registry: ConsumerRegistry): void {
  registry.register<PromotionPhaseChanged>({
    group: DORA_PROJECTIONS_GROUP,
    eventType: PromotionEvents.phaseChanged,
    handle: (event, tx) => projectLeadTimes(tx, event.payload),
  });
}
