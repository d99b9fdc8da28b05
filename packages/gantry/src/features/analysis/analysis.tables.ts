import { bigserial, index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import { promotions } from '../promotions/promotions.tables.js';

/**
 * One analysis of a promotion (a canary step's, the background one, a
 * blue-green pre- or post-promotion one) with the metrics it runs, frozen
 * when it starts so a later pipeline change cannot alter a running verdict.
 */
export const analysisRuns = pgTable(
  'analysis_runs',
  {
    id: uuid('id').primaryKey(),
    promotionId: uuid('promotion_id')
      .notNull()
      .references(() => promotions.id),
    // Which part of the rollout it belongs to, e.g. "step 3" or "background".
    label: text('label').notNull(),
    metrics: jsonb('metrics').notNull(),
    args: jsonb('args').$type<Record<string, string>>().notNull(),
    phase: text('phase').notNull(),
    message: text('message'),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (table) => [index('analysis_runs_promotion_idx').on(table.promotionId, table.startedAt)],
);

/** Every measurement taken, as it was judged: append-only. */
export const analysisMeasurements = pgTable(
  'analysis_measurements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => analysisRuns.id),
    metric: text('metric').notNull(),
    phase: text('phase').notNull(),
    value: jsonb('value'),
    message: text('message'),
    startedAt: timestamptz('started_at').notNull(),
    finishedAt: timestamptz('finished_at').notNull(),
  },
  (table) => [index('analysis_measurements_run_idx').on(table.runId, table.id)],
);
