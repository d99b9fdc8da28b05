import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import type { ServiceSpec } from './pipeline-spec.js';
import { pipelineRevisions, services, stageStatus } from './pipelines.tables.js';

export type ServiceRow = typeof services.$inferSelect;
export type PipelineRevisionRow = typeof pipelineRevisions.$inferSelect;
export type StageStatusRow = typeof stageStatus.$inferSelect;

export async function findService(executor: Executor, name: string): Promise<ServiceRow | undefined> {
  const [row] = await executor.select().from(services).where(eq(services.name, name)).limit(1);
  return row;
}

/**
 * Locks the service row for the rest of the transaction. Release numbering
 * and pipeline applies of one service take this lock, so two concurrent
 * `release create` calls can never compute the same CalVer number.
 */
export async function lockService(executor: Executor, name: string): Promise<ServiceRow | undefined> {
  const [row] = await executor.select().from(services).where(eq(services.name, name)).for('update').limit(1);
  return row;
}

export async function listServices(executor: Executor): Promise<ServiceRow[]> {
  return executor.select().from(services).orderBy(services.name);
}

export async function insertService(executor: Executor, row: typeof services.$inferInsert): Promise<void> {
  await executor.insert(services).values(row);
}

export async function updateServiceRevision(
  executor: Executor,
  name: string,
  set: { team: string; image: string; sourceRepo: string | null; currentRevision: number; specHash: string },
): Promise<void> {
  await executor
    .update(services)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(services.name, name));
}

export async function insertRevision(
  executor: Executor,
  row: typeof pipelineRevisions.$inferInsert,
): Promise<void> {
  await executor.insert(pipelineRevisions).values(row);
}

export async function findRevision(
  executor: Executor,
  service: string,
  revision: number,
): Promise<PipelineRevisionRow | undefined> {
  const [row] = await executor
    .select()
    .from(pipelineRevisions)
    .where(and(eq(pipelineRevisions.service, service), eq(pipelineRevisions.revision, revision)))
    .limit(1);
  return row;
}

export async function stageStatusOf(executor: Executor, service?: string): Promise<StageStatusRow[]> {
  const query = executor.select().from(stageStatus);
  return service ? query.where(eq(stageStatus.service, service)) : query;
}

export async function findStageStatus(
  executor: Executor,
  service: string,
  stage: string,
): Promise<StageStatusRow | undefined> {
  const [row] = await executor
    .select()
    .from(stageStatus)
    .where(and(eq(stageStatus.service, service), eq(stageStatus.stage, stage)))
    .limit(1);
  return row;
}

/** Creates the row on first use; later calls change only the given columns. */
export async function upsertStageStatus(
  executor: Executor,
  row: { service: string; stage: string } & Partial<Omit<StageStatusRow, 'service' | 'stage'>>,
): Promise<void> {
  const { service, stage: _stage, ...set } = row;
  await executor
    .insert(stageStatus)
    .values(row)
    .onConflictDoUpdate({
      target: [stageStatus.service, stageStatus.stage],
      set: Object.keys(set).length ? set : { service },
    });
}

/** The stage no longer exists (a torn-down preview): `gantry status` stops showing it. */
export async function deleteStageStatus(executor: Executor, service: string, stage: string): Promise<void> {
  await executor
    .delete(stageStatus)
    .where(and(eq(stageStatus.service, service), eq(stageStatus.stage, stage)));
}

/** The service's pipeline as last applied, or undefined for a service that is not declared. */
export async function findCurrentSpec(executor: Executor, service: string): Promise<ServiceSpec | undefined> {
  const row = await findService(executor, service);
  const revision = row && (await findRevision(executor, service, row.currentRevision));
  return revision ? (revision.spec as ServiceSpec) : undefined;
}
