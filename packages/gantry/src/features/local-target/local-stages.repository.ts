import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { localStages, type RecordedReplicaSet } from './local-stages.tables.js';

export type LocalStageRecord = typeof localStages.$inferSelect;
export type CandidateRecord = RecordedReplicaSet & { promotionId: string };

export async function findLocalStage(
  db: Executor,
  service: string,
  stage: string,
): Promise<LocalStageRecord | undefined> {
  const [row] = await db
    .select()
    .from(localStages)
    .where(and(eq(localStages.service, service), eq(localStages.stage, stage)));
  return row;
}

export async function listLocalStages(db: Executor): Promise<LocalStageRecord[]> {
  return db.select().from(localStages).orderBy(localStages.service, localStages.stage);
}

/** Records the version being rolled out, with no traffic yet. */
export async function recordCandidate(
  db: Executor,
  service: string,
  stage: string,
  candidate: CandidateRecord,
): Promise<void> {
  await db
    .insert(localStages)
    .values({ service, stage, candidate, candidateWeight: 0 })
    .onConflictDoUpdate({
      target: [localStages.service, localStages.stage],
      set: { candidate, candidateWeight: 0, version: sql`${localStages.version} + 1`, updatedAt: new Date() },
    });
}

/** The candidate's share of requests, stored before the proxy applies it. */
export async function recordCandidateWeight(
  db: Executor,
  service: string,
  stage: string,
  weight: number,
): Promise<void> {
  await db
    .update(localStages)
    .set({ candidateWeight: weight, version: sql`${localStages.version} + 1`, updatedAt: new Date() })
    .where(and(eq(localStages.service, service), eq(localStages.stage, stage)));
}

/** The candidate becomes the stable version; the previous stable one is gone. */
export async function recordPromoted(db: Executor, service: string, stage: string): Promise<void> {
  await db
    .update(localStages)
    .set({
      stable: sql`${localStages.candidate}`,
      candidate: null,
      candidateWeight: 0,
      version: sql`${localStages.version} + 1`,
      updatedAt: new Date(),
    })
    .where(and(eq(localStages.service, service), eq(localStages.stage, stage)));
}

/** The candidate is gone; the stable version has every request. */
export async function recordCandidateRemoved(db: Executor, service: string, stage: string): Promise<void> {
  await db
    .update(localStages)
    .set({
      candidate: null,
      candidateWeight: 0,
      version: sql`${localStages.version} + 1`,
      updatedAt: new Date(),
    })
    .where(and(eq(localStages.service, service), eq(localStages.stage, stage)));
}

/** A re-adopted or restarted set's new snapshot (pids and ports changed). */
export async function recordReplicaSnapshot(
  db: Executor,
  service: string,
  stage: string,
  role: 'stable' | 'candidate',
  replicas: unknown,
): Promise<void> {
  const column = role === 'stable' ? localStages.stable : localStages.candidate;
  await db
    .update(localStages)
    .set({
      [role]: sql`jsonb_set(${column}, '{replicas}', ${JSON.stringify(replicas ?? null)}::jsonb)`,
      updatedAt: new Date(),
    })
    .where(and(eq(localStages.service, service), eq(localStages.stage, stage)));
}

/** The stage is gone for good (a closed preview): nothing to re-adopt at the next start. */
export async function deleteLocalStage(db: Executor, service: string, stage: string): Promise<void> {
  await db.delete(localStages).where(and(eq(localStages.service, service), eq(localStages.stage, stage)));
}
