import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, lt, ne, not, or, sql } from 'drizzle-orm';
import type { Executor, Tx } from '../../platform/database/database.js';
import { updateWithVersion } from '../../platform/database/optimistic-lock.js';
import { ACTIVE_PHASES, type PromotionPhase } from './promotion-state-machine.js';
import { promotionDecisions, promotions, promotionTransitions } from './promotions.tables.js';
import { services } from '../pipelines/pipelines.tables.js';
import { olderThan } from '../../platform/database/keyset.js';
import type { KeysetPosition } from '../../shared/keyset-cursor.js';

export type Promotion = typeof promotions.$inferSelect;
export type NewPromotion = typeof promotions.$inferInsert;
export type PromotionTransition = typeof promotionTransitions.$inferSelect;
export type PromotionDecision = typeof promotionDecisions.$inferSelect;

/** The partial unique index that allows one active promotion per (service, stage). */
export const ONE_ACTIVE_PER_STAGE_INDEX = 'promotions_one_active_per_stage_idx';

export async function insertPromotion(executor: Executor, row: NewPromotion): Promise<Promotion> {
  const [inserted] = await executor.insert(promotions).values(row).returning();
  return inserted!;
}

export async function findPromotion(executor: Executor, id: string): Promise<Promotion | undefined> {
  const [row] = await executor.select().from(promotions).where(eq(promotions.id, id)).limit(1);
  return row;
}

export async function findActivePromotion(
  executor: Executor,
  service: string,
  stage: string,
): Promise<Promotion | undefined> {
  const [row] = await executor
    .select()
    .from(promotions)
    .where(
      and(
        eq(promotions.service, service),
        eq(promotions.stage, stage),
        inArray(promotions.phase, [...ACTIVE_PHASES]),
      ),
    )
    .limit(1);
  return row;
}

/** Compare-and-set on the version column: a concurrent change makes this throw StaleVersionError. */
export async function updatePromotion(
  executor: Executor,
  current: Promotion,
  set: Partial<Omit<Promotion, 'id' | 'version'>>,
): Promise<Promotion> {
  return updateWithVersion(executor, promotions, {
    aggregate: 'promotion',
    id: current.id,
    expectedVersion: current.version,
    set: { ...set, updatedAt: new Date() },
  });
}

export async function insertTransition(
  executor: Executor,
  row: {
    promotionId: string;
    fromPhase: PromotionPhase | null;
    toPhase: PromotionPhase;
    actor: string;
    reason: string;
    at: Date;
  },
): Promise<void> {
  await executor.insert(promotionTransitions).values(row);
}

export async function transitionsOf(executor: Executor, promotionId: string): Promise<PromotionTransition[]> {
  return executor
    .select()
    .from(promotionTransitions)
    .where(eq(promotionTransitions.promotionId, promotionId))
    .orderBy(asc(promotionTransitions.id));
}

export async function insertDecision(
  executor: Executor,
  row: typeof promotionDecisions.$inferInsert,
): Promise<void> {
  await executor.insert(promotionDecisions).values(row);
}

export async function decisionsOf(executor: Executor, promotionId: string): Promise<PromotionDecision[]> {
  return executor
    .select()
    .from(promotionDecisions)
    .where(eq(promotionDecisions.promotionId, promotionId))
    .orderBy(asc(promotionDecisions.at));
}

export interface PromotionFilter {
  service?: string;
  team?: string;
  stage?: string;
  phase?: string | readonly string[];
  production?: boolean;
  /** Production deployments as DORA counts them: production, applied, not a rollback. */
  deployment?: boolean;
  finishedSince?: Date;
  finishedUntil?: Date;
  before?: KeysetPosition;
  limit: number;
}

/** Newest first, keyset-paged by (created_at, id). */
export async function listPromotions(executor: Executor, filter: PromotionFilter): Promise<Promotion[]> {
  const conditions = [];
  if (filter.service) conditions.push(eq(promotions.service, filter.service));
  if (filter.stage) conditions.push(eq(promotions.stage, filter.stage));
  if (typeof filter.phase === 'string') conditions.push(eq(promotions.phase, filter.phase));
  else if (filter.phase) conditions.push(inArray(promotions.phase, [...filter.phase]));
  if (filter.team) {
    conditions.push(
      inArray(
        promotions.service,
        executor.select({ name: services.name }).from(services).where(eq(services.team, filter.team)),
      ),
    );
  }
  if (filter.production !== undefined) conditions.push(eq(promotions.production, filter.production));
  if (filter.deployment !== undefined) {
    const deployment = and(
      eq(promotions.production, true),
      isNotNull(promotions.applyingAt),
      ne(promotions.trigger, 'rollback'),
    );
    conditions.push(filter.deployment ? deployment : not(deployment!));
  }
  if (filter.finishedSince) conditions.push(gte(promotions.finishedAt, filter.finishedSince));
  if (filter.finishedUntil) conditions.push(lt(promotions.finishedAt, filter.finishedUntil));
  if (filter.before) {
    conditions.push(olderThan(promotions.createdAt, promotions.id, filter.before));
  }
  return executor
    .select()
    .from(promotions)
    .where(and(...conditions))
    .orderBy(desc(promotions.createdAt), desc(promotions.id))
    .limit(filter.limit);
}

/** Promotions of one release waiting for something (evidence, upstream, a timer). */
export async function waitingPromotionsOfRelease(
  executor: Executor,
  releaseId: string,
): Promise<Promotion[]> {
  return executor
    .select()
    .from(promotions)
    .where(and(eq(promotions.releaseId, releaseId), eq(promotions.phase, 'WaitingForGates')));
}

/** The latest successful promotion of a release into a stage, if any. */
export async function lastSuccessOfRelease(
  executor: Executor,
  releaseId: string,
  stage: string,
): Promise<Promotion | undefined> {
  const [row] = await executor
    .select()
    .from(promotions)
    .where(
      and(
        eq(promotions.releaseId, releaseId),
        eq(promotions.stage, stage),
        eq(promotions.phase, 'Succeeded'),
      ),
    )
    .orderBy(desc(promotions.finishedAt))
    .limit(1);
  return row;
}

/** Successful promotions into a stage, newest first: the stage's release history, for rollback. */
export async function successesInStage(
  executor: Executor,
  service: string,
  stage: string,
  limit: number,
): Promise<Promotion[]> {
  return executor
    .select()
    .from(promotions)
    .where(
      and(eq(promotions.service, service), eq(promotions.stage, stage), eq(promotions.phase, 'Succeeded')),
    )
    .orderBy(desc(promotions.finishedAt))
    .limit(limit);
}

/**
 * Takes the apply lease of a promotion in Applying when nobody holds it (or a
 * holder's lease ran out: it crashed). The row is locked first, so two
 * appliers can never both win, and the caller learns whether anyone ever
 * claimed it before (`apply_owner` stays set until the apply is recorded):
 * only then can the target already hold this promotion's change.
 */
/** The phases a process works on with a lease: applying to the target, then verifying it (rollouts). */
export type LeasedPhase = 'Applying' | 'Verifying';

export async function claimApply(
  tx: Tx,
  id: string,
  owner: string,
  leaseMs: number,
  phase: LeasedPhase = 'Applying',
): Promise<{ promotion: Promotion; claimedBefore: boolean } | undefined> {
  const [before] = await tx
    .select({ applyOwner: promotions.applyOwner })
    .from(promotions)
    .where(eq(promotions.id, id))
    .for('update');
  if (!before) return undefined;
  const [row] = await tx
    .update(promotions)
    .set({
      applyOwner: owner,
      applyLeaseUntil: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
      version: sql`${promotions.version} + 1`,
    })
    .where(
      and(
        eq(promotions.id, id),
        eq(promotions.phase, phase),
        or(isNull(promotions.applyLeaseUntil), lt(promotions.applyLeaseUntil, sql`now()`)),
      ),
    )
    .returning();
  return row && { promotion: row, claimedBefore: before.applyOwner !== null };
}

/** Promotions in the phase that nobody holds: never claimed, or their holder died. */
export async function unclaimedApplying(
  executor: Executor,
  limit: number,
  phase: LeasedPhase = 'Applying',
): Promise<string[]> {
  const rows = await executor
    .select({ id: promotions.id })
    .from(promotions)
    .where(
      and(
        eq(promotions.phase, phase),
        or(isNull(promotions.applyLeaseUntil), lt(promotions.applyLeaseUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(promotions.updatedAt))
    .limit(limit);
  return rows.map((row) => row.id);
}

/**
 * Frees every apply lease: on PGlite at start-up, where any holder is a
 * process that is gone. The owner stays recorded: it tells the next claimer
 * that the target may already hold the change.
 */
export async function releaseAllApplyLeases(executor: Executor): Promise<void> {
  await executor
    .update(promotions)
    .set({ applyLeaseUntil: null })
    .where(inArray(promotions.phase, ['Applying', 'Verifying']));
}

/** Active promotions of a stage that have not started applying: candidates to supersede or re-evaluate. */
export async function waitingPromotionsInStage(
  executor: Executor,
  service: string,
  stage: string,
): Promise<Promotion[]> {
  return executor
    .select()
    .from(promotions)
    .where(
      and(
        eq(promotions.service, service),
        eq(promotions.stage, stage),
        inArray(promotions.phase, ['Pending', 'WaitingForGates', 'WaitingForApproval']),
      ),
    );
}

/** Every active promotion (of one service, or all): one query for the status matrix. */
export async function activePromotions(executor: Executor, service?: string): Promise<Promotion[]> {
  const active = inArray(promotions.phase, [...ACTIVE_PHASES]);
  return executor
    .select()
    .from(promotions)
    .where(service ? and(active, eq(promotions.service, service)) : active);
}
