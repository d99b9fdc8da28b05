import { integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import { promotions } from '../promotions/promotions.tables.js';
import type { RolloutPlan } from './rollout-plan.js';

/**
 * The progressive part of a promotion into a `local` stage: the plan compiled
 * from the stage's strategy when the promotion started, and the step it is at.
 * A step is stored before it takes effect (a weight is written, then routed),
 * so a restarted Gantry continues from here and never splits traffic that
 * nobody owns.
 */
export const rollouts = pgTable('rollouts', {
  // The promotion's id: a promotion has at most one rollout.
  id: uuid('id')
    .primaryKey()
    .references(() => promotions.id),
  service: text('service').notNull(),
  stage: text('stage').notNull(),
  strategy: text('strategy').$type<'rolling' | 'canary' | 'blueGreen'>().notNull(),
  plan: jsonb('plan').$type<RolloutPlan>().notNull(),
  // The step being run (plan.steps index); its length once every step is done.
  stepIndex: integer('step_index').notNull().default(0),
  // Share of requests (0–100) the new version gets right now.
  weight: integer('weight').notNull().default(0),
  status: text('status').$type<RolloutStatus>().notNull().default('Progressing'),
  // Why it waits, and until when for a timed pause.
  pauseReason: text('pause_reason'),
  pausedUntil: timestamptz('paused_until'),
  message: text('message'),
  // Every step, weight and status the rollout went through, oldest first, for
  // the dashboard's traffic chart. A few dozen entries at most: one per change.
  history: jsonb('history').$type<RolloutHistoryEntry[]>().notNull().default([]),
  version: integer('version').notNull().default(1),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export interface RolloutHistoryEntry {
  at: string;
  /** plan.steps index, as stepIndex. */
  stepIndex: number;
  weight: number;
  status: RolloutStatus;
}

export type RolloutStatus =
  'Progressing' | 'Paused' | 'Promoting' | 'RollingBack' | 'Completed' | 'RolledBack' | 'Aborted';
