import { doublePrecision, index, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

/**
 * The DORA lead-time projection: one row per commit of a service, written
 * when the first production promotion that carried it succeeded (by the
 * dora-projections consumer, dora-projections.ts). A commit deployed again
 * later (another production stage, a rebuilt release) keeps its first row,
 * so lead time counts every change once.
 */
export const doraLeadTimes = pgTable(
  'dora_lead_times',
  {
    service: text('service').notNull(),
    sha: text('sha').notNull(),
    promotionId: uuid('promotion_id').notNull(),
    stage: text('stage').notNull(),
    releaseVersion: text('release_version').notNull(),
    committedAt: timestamptz('committed_at').notNull(),
    deployedAt: timestamptz('deployed_at').notNull(),
    /** deployed_at − committed_at, in seconds (negative clocks are kept as they are: they show a wrong commit time). */
    leadSeconds: doublePrecision('lead_seconds').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.service, table.sha] }),
    // Lead-time queries read one window of deployments, for the fleet or for
    // a few services; see docs/benchmarks.md (bench:dora) for the plans.
    index('dora_lead_times_deployed_idx').on(table.deployedAt),
    index('dora_lead_times_service_deployed_idx').on(table.service, table.deployedAt),
  ],
);
