import { eq } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { updateWithVersion } from '../../platform/database/optimistic-lock.js';
import { runsOfPromotion } from '../analysis/analysis.repository.js';
import { rollouts, type RolloutHistoryEntry } from './rollouts.tables.js';

export type Rollout = typeof rollouts.$inferSelect;

/** A rollout as people read it: where it stands and every measurement taken. */
export interface RolloutDetail {
  rollout: Rollout;
  analysis: Awaited<ReturnType<typeof runsOfPromotion>>;
}

export async function findRolloutDetail(
  db: Executor,
  promotionId: string,
): Promise<RolloutDetail | undefined> {
  const rollout = await findRollout(db, promotionId);
  if (!rollout) return undefined;
  return { rollout, analysis: await runsOfPromotion(db, promotionId) };
}

export async function findRollout(db: Executor, promotionId: string): Promise<Rollout | undefined> {
  const [row] = await db.select().from(rollouts).where(eq(rollouts.id, promotionId));
  return row;
}

export async function insertRollout(db: Executor, rollout: typeof rollouts.$inferInsert): Promise<Rollout> {
  const first: RolloutHistoryEntry = {
    at: new Date().toISOString(),
    stepIndex: rollout.stepIndex ?? 0,
    weight: rollout.weight ?? 0,
    status: rollout.status ?? 'Progressing',
  };
  const [row] = await db
    .insert(rollouts)
    .values({ ...rollout, history: [first] })
    .onConflictDoNothing()
    .returning();
  return row ?? (await findRollout(db, rollout.id))!;
}

/** A versioned update: a stale rollout (changed by a person or another process meanwhile) is refused. */
export async function updateRollout(
  db: Executor,
  current: Rollout,
  set: Partial<Omit<Rollout, 'id' | 'version'>>,
): Promise<Rollout> {
  return updateWithVersion(db, rollouts, {
    aggregate: 'rollout',
    id: current.id,
    expectedVersion: current.version,
    set: { ...set, history: historyAfter(current, set), updatedAt: new Date() },
  });
}

/** The history with one more entry when the step, weight or status changes. */
export function historyAfter(
  current: Rollout,
  set: Partial<Pick<Rollout, 'stepIndex' | 'weight' | 'status'>>,
  at = new Date(),
): RolloutHistoryEntry[] {
  const next = {
    stepIndex: set.stepIndex ?? current.stepIndex,
    weight: set.weight ?? current.weight,
    status: set.status ?? current.status,
  };
  if (
    next.stepIndex === current.stepIndex &&
    next.weight === current.weight &&
    next.status === current.status
  ) {
    return current.history;
  }
  return [...current.history, { at: at.toISOString(), ...next }];
}
