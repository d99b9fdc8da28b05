import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { analysisMeasurements, analysisRuns } from './analysis.tables.js';

export type AnalysisRunRow = typeof analysisRuns.$inferSelect;
export type MeasurementRow = typeof analysisMeasurements.$inferSelect;

export async function findRunByLabel(
  db: Executor,
  promotionId: string,
  label: string,
): Promise<AnalysisRunRow | undefined> {
  const [row] = await db
    .select()
    .from(analysisRuns)
    .where(and(eq(analysisRuns.promotionId, promotionId), eq(analysisRuns.label, label)))
    .orderBy(asc(analysisRuns.startedAt))
    .limit(1);
  return row;
}

export async function insertRun(
  db: Executor,
  run: typeof analysisRuns.$inferInsert,
): Promise<AnalysisRunRow> {
  const [row] = await db.insert(analysisRuns).values(run).returning();
  return row!;
}

export async function updateRun(
  db: Executor,
  id: string,
  set: Pick<Partial<AnalysisRunRow>, 'phase' | 'message' | 'finishedAt'>,
): Promise<void> {
  await db.update(analysisRuns).set(set).where(eq(analysisRuns.id, id));
}

export async function insertMeasurement(
  db: Executor,
  measurement: typeof analysisMeasurements.$inferInsert,
): Promise<void> {
  await db.insert(analysisMeasurements).values(measurement);
}

export async function measurementsOfRun(db: Executor, runId: string): Promise<MeasurementRow[]> {
  return db
    .select()
    .from(analysisMeasurements)
    .where(eq(analysisMeasurements.runId, runId))
    .orderBy(asc(analysisMeasurements.id));
}

/** Every run of a promotion with its measurements, oldest first (for `gantry promotion show`). */
export async function runsOfPromotion(
  db: Executor,
  promotionId: string,
): Promise<{ run: AnalysisRunRow; measurements: MeasurementRow[] }[]> {
  const runs = await db
    .select()
    .from(analysisRuns)
    .where(eq(analysisRuns.promotionId, promotionId))
    .orderBy(asc(analysisRuns.startedAt));
  if (runs.length === 0) return [];
  const measurements = await db
    .select()
    .from(analysisMeasurements)
    .where(
      inArray(
        analysisMeasurements.runId,
        runs.map((run) => run.id),
      ),
    )
    .orderBy(asc(analysisMeasurements.id));
  return runs.map((run) => ({
    run,
    measurements: measurements.filter((measurement) => measurement.runId === run.id),
  }));
}
