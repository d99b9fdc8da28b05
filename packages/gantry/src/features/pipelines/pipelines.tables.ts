import { index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

/**
 * One row per declared service: what `gantry apply` last made current.
 * The full declaration lives in pipeline_revisions; promotions keep the
 * revision they started with, so a re-applied file never changes a rollout
 * in flight.
 */
export const services = pgTable('services', {
  name: text('name').primaryKey(),
  team: text('team').notNull(),
  image: text('image').notNull(),
  sourceRepo: text('source_repo'),
  currentRevision: integer('current_revision').notNull(),
  specHash: text('spec_hash').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

/** Every applied version of a service's pipeline, immutable once written. */
export const pipelineRevisions = pgTable(
  'pipeline_revisions',
  {
    service: text('service')
      .notNull()
      .references(() => services.name),
    revision: integer('revision').notNull(),
    spec: jsonb('spec').notNull(),
    specHash: text('spec_hash').notNull(),
    appliedBy: text('applied_by').notNull(),
    appliedAt: timestamptz('applied_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.service, table.revision] })],
);

/**
 * What runs where: the release that last succeeded in each (service, stage),
 * kept up to date by the promotion engine in the transaction that records the
 * success, so `gantry status` reads one small table.
 */
export const stageStatus = pgTable(
  'stage_status',
  {
    service: text('service')
      .notNull()
      .references(() => services.name),
    stage: text('stage').notNull(),
    currentReleaseId: text('current_release_id'),
    currentVersion: text('current_version'),
    currentSince: timestamptz('current_since'),
    lastPromotionId: text('last_promotion_id'),
    // Set when someone promotes an older release by hand into an auto stage:
    // auto-promotion holds until a newer release is promoted there.
    autoHold: jsonb('auto_hold').$type<{ version: string; actor: string; at: string } | null>(),
  },
  (table) => [
    primaryKey({ columns: [table.service, table.stage] }),
    index('stage_status_service_idx').on(table.service),
  ],
);
