import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import { releases } from '../releases/releases.tables.js';

/**
 * A promotion of one release into one stage: a durable state machine
 * (promotion-state-machine.ts). `phase` is the current step; every change
 * is also a row in promotion_transitions and an event in the outbox.
 */
export const promotions = pgTable(
  'promotions',
  {
    id: uuid('id').primaryKey(),
    service: text('service').notNull(),
    stage: text('stage').notNull(),
    releaseId: uuid('release_id')
      .notNull()
      .references(() => releases.id),
    releaseVersion: text('release_version').notNull(),
    // The pipeline revision the promotion started with; later applies don't touch it.
    pipelineRevision: integer('pipeline_revision').notNull(),
    phase: text('phase').notNull(),
    trigger: text('trigger').$type<'manual' | 'auto' | 'rollback'>().notNull(),
    requestedBy: text('requested_by').notNull(),
    reason: text('reason'),
    freezeOverride: jsonb('freeze_override').$type<{ actor: string; reason: string } | null>(),
    // The last explanation shown for the current phase ("waiting: soaking in staging …").
    message: text('message'),
    // The target's record of the change (a commit sha for gitops).
    appliedRevision: text('applied_revision'),
    // Who is applying right now, until when: a crashed applier's lease runs out
    // and another picks the promotion up (the target driver is idempotent).
    applyOwner: text('apply_owner'),
    applyLeaseUntil: timestamptz('apply_lease_until'),
    applyAttempts: integer('apply_attempts').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
    // Whether the stage was a production stage (productionStagesOf) when the
    // promotion was created; DORA filters on it instead of re-reading specs.
    production: boolean('production').notNull().default(false),
    // When the promotion first entered Applying: from then on it is a deployment.
    applyingAt: timestamptz('applying_at'),
  },
  (table) => [
    // At most one active promotion per (service, stage), enforced here rather
    // than by a read-then-write check that two requests could both pass.
    uniqueIndex('promotions_one_active_per_stage_idx')
      .on(table.service, table.stage)
      .where(
        sql`${table.phase} in ('Pending', 'WaitingForGates', 'WaitingForApproval', 'Applying', 'Verifying')`,
      ),
    index('promotions_service_stage_created_idx').on(table.service, table.stage, table.createdAt),
    index('promotions_release_idx').on(table.releaseId),
    // DORA (features/dora/dora.repository.ts) reads one window of finished
    // production deployments: by finished_at for the fleet and a team, by
    // service for one service. Partial, so they hold only production
    // promotions that reached Applying (a third of a typical history).
    // bench:dora (docs/benchmarks.md) measures the queries with and without them.
    index('promotions_dora_finished_idx')
      .on(table.finishedAt)
      .where(sql`${table.production} and ${table.applyingAt} is not null`),
    index('promotions_dora_service_finished_idx')
      .on(table.service, table.finishedAt)
      .where(sql`${table.production} and ${table.applyingAt} is not null`),
    index('promotions_applying_lease_idx')
      .on(table.applyLeaseUntil)
      .where(sql`${table.phase} = 'Applying'`),
  ],
);

/** Every phase change: when, who, why. Append-only. */
export const promotionTransitions = pgTable(
  'promotion_transitions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    promotionId: uuid('promotion_id')
      .notNull()
      .references(() => promotions.id),
    fromPhase: text('from_phase'),
    toPhase: text('to_phase').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (table) => [index('promotion_transitions_promotion_idx').on(table.promotionId, table.id)],
);

/** One decision per person per promotion; a second one from the same person is refused. */
export const promotionDecisions = pgTable(
  'promotion_decisions',
  {
    promotionId: uuid('promotion_id')
      .notNull()
      .references(() => promotions.id),
    actor: text('actor').notNull(),
    decision: text('decision').$type<'approved' | 'rejected'>().notNull(),
    comment: text('comment'),
    at: timestamptz('at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.promotionId, table.actor] })],
);
