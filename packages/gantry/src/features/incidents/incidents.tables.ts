import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import { promotions } from '../promotions/promotions.tables.js';

export interface IncidentRollback {
  /** withdrawn: a verifying canary was rolled back; promoted: a rollback promotion started; pending: waits for the promotion to finish; skipped: nothing done. */
  action: 'withdrawn' | 'promoted' | 'pending' | 'skipped';
  /** The promotion withdrawn, or the rollback promotion started. */
  promotionId: string | null;
  reason: string;
  at: string;
}

/**
 * A production problem: opened by an alert (Alertmanager) or by hand, mapped
 * to a service and stage when its labels say which, and linked to the
 * promotion that caused it (a change failure, counted by DORA). Resolved
 * incidents stay; a fingerprint that fires again later opens a new one.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey(),
    /** alertmanager, manual, or whatever other source opened it. */
    source: text('source').notNull(),
    /** Deduplicates alerts: at most one open incident per (source, fingerprint). */
    fingerprint: text('fingerprint').notNull(),
    title: text('title').notNull(),
    service: text('service'),
    stage: text('stage'),
    status: text('status').$type<'open' | 'resolved'>().notNull(),
    severity: text('severity'),
    labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
    /** The promotion that caused it, when known: the latest promotion into the stage when it opened. */
    promotionId: uuid('promotion_id').references(() => promotions.id),
    url: text('url'),
    openedBy: text('opened_by').notNull(),
    /** When the problem started: the alert's startsAt, or when it was opened by hand. */
    openedAt: timestamptz('opened_at').notNull(),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamptz('resolved_at'),
    /**
     * What Gantry did about the linked promotion when the incident opened
     * (stage with rollbackOnIncident): withdrew its canary, started a rollback
     * promotion, waits for it to finish, or why it did nothing. Set once an
     * action is taken, so no incident ever rolls back twice.
     */
    rollback: jsonb('rollback').$type<IncidentRollback | null>(),
    version: integer('version').notNull().default(1),
  },
  (table) => [
    uniqueIndex('incidents_one_open_per_fingerprint_idx')
      .on(table.source, table.fingerprint)
      .where(sql`${table.status} = 'open'`),
    index('incidents_service_opened_idx').on(table.service, table.openedAt),
    index('incidents_promotion_idx').on(table.promotionId),
  ],
);
