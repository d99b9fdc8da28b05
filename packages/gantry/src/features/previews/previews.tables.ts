import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';
import { services } from '../pipelines/pipelines.tables.js';

export type PreviewStatus = 'active' | 'closing' | 'closed';

/**
 * One pull request's preview of one service: the stage `pr-<number>` made
 * from the service's preview stage. Active while the pull request is open;
 * closing once it closed, merged or went quiet past the TTL, until its stage
 * is torn down; closed after. A pull request reopened later makes it active
 * again (same row, same stage name).
 */
export const previews = pgTable(
  'previews',
  {
    service: text('service')
      .notNull()
      .references(() => services.name),
    number: integer('number').notNull(),
    stage: text('stage').notNull(),
    status: text('status').$type<PreviewStatus>().notNull(),
    title: text('title').notNull(),
    author: text('author').notNull(),
    pullRequestUrl: text('pull_request_url').notNull(),
    headSha: text('head_sha').notNull(),
    headRef: text('head_ref').notNull(),
    /** Why it closed or is closing: merged, closed, expired (TTL), or removed from the pipeline. */
    closeReason: text('close_reason'),
    /** The last teardown error, shown until a retry succeeds. */
    lastError: text('last_error'),
    openedAt: timestamptz('opened_at').notNull(),
    lastActivityAt: timestamptz('last_activity_at').notNull(),
    closedAt: timestamptz('closed_at'),
    version: integer('version').notNull().default(1),
  },
  (table) => [
    primaryKey({ columns: [table.service, table.number] }),
    // The teardown runner and the TTL sweep read only the few previews not yet closed.
    index('previews_open_idx')
      .on(table.status, table.lastActivityAt)
      .where(sql`${table.status} <> 'closed'`),
  ],
);
