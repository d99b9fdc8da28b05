import { integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import type { LocalTargetSpec } from '../pipelines/pipeline-spec.js';
import type { ReleaseToApply } from '../targets/target-driver.js';

/**
 * A version's replicas as last recorded: enough to re-adopt them after a
 * restart, or to start them again (the target as declared, secrets still as
 * references).
 */
export interface RecordedReplicaSet {
  release: ReleaseToApply;
  target: LocalTargetSpec;
  /** The supervisor's snapshot (pids, ports, process start times). */
  replicas: unknown;
}

/**
 * What runs in each `local` stage and how its proxy routes: written before a
 * change takes effect, read at start-up to re-adopt the replicas and restore
 * the routing, so traffic is never split by a proxy nobody remembers.
 */
export const localStages = pgTable(
  'local_stages',
  {
    service: text('service').notNull(),
    stage: text('stage').notNull(),
    stable: jsonb('stable').$type<RecordedReplicaSet | null>(),
    // The version being rolled out (canary or green) and its promotion.
    candidate: jsonb('candidate').$type<(RecordedReplicaSet & { promotionId: string }) | null>(),
    // Share of requests (0–100) the candidate gets on the stage's port.
    candidateWeight: integer('candidate_weight').notNull().default(0),
    version: integer('version').notNull().default(1),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.service, table.stage] })],
);
